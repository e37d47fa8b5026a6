file(REMOVE_RECURSE
  "CMakeFiles/mb_solvers.dir/binomial.c.o"
  "CMakeFiles/mb_solvers.dir/binomial.c.o.d"
  "CMakeFiles/mb_solvers.dir/builder.c.o"
  "CMakeFiles/mb_solvers.dir/builder.c.o.d"
  "CMakeFiles/mb_solvers.dir/chen.c.o"
  "CMakeFiles/mb_solvers.dir/chen.c.o.d"
  "CMakeFiles/mb_solvers.dir/dp.c.o"
  "CMakeFiles/mb_solvers.dir/dp.c.o.d"
  "CMakeFiles/mb_solvers.dir/full.c.o"
  "CMakeFiles/mb_solvers.dir/full.c.o.d"
  "CMakeFiles/mb_solvers.dir/registry.c.o"
  "CMakeFiles/mb_solvers.dir/registry.c.o.d"
  "CMakeFiles/mb_solvers.dir/revolve.c.o"
  "CMakeFiles/mb_solvers.dir/revolve.c.o.d"
  "CMakeFiles/mb_solvers.dir/sqrt.c.o"
  "CMakeFiles/mb_solvers.dir/sqrt.c.o.d"
  "libmb_solvers.a"
  "libmb_solvers.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/mb_solvers.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
