file(REMOVE_RECURSE
  "CMakeFiles/bench_solvers.dir/bench_solvers.c.o"
  "CMakeFiles/bench_solvers.dir/bench_solvers.c.o.d"
  "bench_solvers"
  "bench_solvers.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_solvers.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
