file(REMOVE_RECURSE
  "CMakeFiles/membptt.dir/cmd_solve.c.o"
  "CMakeFiles/membptt.dir/cmd_solve.c.o.d"
  "CMakeFiles/membptt.dir/cmd_verify.c.o"
  "CMakeFiles/membptt.dir/cmd_verify.c.o.d"
  "CMakeFiles/membptt.dir/main.c.o"
  "CMakeFiles/membptt.dir/main.c.o.d"
  "membptt"
  "membptt.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/membptt.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
