file(REMOVE_RECURSE
  "CMakeFiles/mb_core.dir/error.c.o"
  "CMakeFiles/mb_core.dir/error.c.o.d"
  "CMakeFiles/mb_core.dir/fileio.c.o"
  "CMakeFiles/mb_core.dir/fileio.c.o.d"
  "CMakeFiles/mb_core.dir/json.c.o"
  "CMakeFiles/mb_core.dir/json.c.o.d"
  "CMakeFiles/mb_core.dir/plan.c.o"
  "CMakeFiles/mb_core.dir/plan.c.o.d"
  "CMakeFiles/mb_core.dir/problem.c.o"
  "CMakeFiles/mb_core.dir/problem.c.o.d"
  "CMakeFiles/mb_core.dir/report.c.o"
  "CMakeFiles/mb_core.dir/report.c.o.d"
  "libmb_core.a"
  "libmb_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/mb_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
