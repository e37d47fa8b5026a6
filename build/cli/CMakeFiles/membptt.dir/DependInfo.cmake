
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/cli/cmd_solve.c" "cli/CMakeFiles/membptt.dir/cmd_solve.c.o" "gcc" "cli/CMakeFiles/membptt.dir/cmd_solve.c.o.d"
  "/work/main/cli/cmd_verify.c" "cli/CMakeFiles/membptt.dir/cmd_verify.c.o" "gcc" "cli/CMakeFiles/membptt.dir/cmd_verify.c.o.d"
  "/work/main/cli/main.c" "cli/CMakeFiles/membptt.dir/main.c.o" "gcc" "cli/CMakeFiles/membptt.dir/main.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/solvers/CMakeFiles/mb_solvers.dir/DependInfo.cmake"
  "/work/main/build/sim/CMakeFiles/mb_sim.dir/DependInfo.cmake"
  "/work/main/build/core/CMakeFiles/mb_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
