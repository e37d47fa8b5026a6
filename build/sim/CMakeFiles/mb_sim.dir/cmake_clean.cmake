file(REMOVE_RECURSE
  "CMakeFiles/mb_sim.dir/replay.c.o"
  "CMakeFiles/mb_sim.dir/replay.c.o.d"
  "libmb_sim.a"
  "libmb_sim.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/mb_sim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
