
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/solvers/binomial.c" "solvers/CMakeFiles/mb_solvers.dir/binomial.c.o" "gcc" "solvers/CMakeFiles/mb_solvers.dir/binomial.c.o.d"
  "/work/main/solvers/builder.c" "solvers/CMakeFiles/mb_solvers.dir/builder.c.o" "gcc" "solvers/CMakeFiles/mb_solvers.dir/builder.c.o.d"
  "/work/main/solvers/chen.c" "solvers/CMakeFiles/mb_solvers.dir/chen.c.o" "gcc" "solvers/CMakeFiles/mb_solvers.dir/chen.c.o.d"
  "/work/main/solvers/dp.c" "solvers/CMakeFiles/mb_solvers.dir/dp.c.o" "gcc" "solvers/CMakeFiles/mb_solvers.dir/dp.c.o.d"
  "/work/main/solvers/full.c" "solvers/CMakeFiles/mb_solvers.dir/full.c.o" "gcc" "solvers/CMakeFiles/mb_solvers.dir/full.c.o.d"
  "/work/main/solvers/registry.c" "solvers/CMakeFiles/mb_solvers.dir/registry.c.o" "gcc" "solvers/CMakeFiles/mb_solvers.dir/registry.c.o.d"
  "/work/main/solvers/revolve.c" "solvers/CMakeFiles/mb_solvers.dir/revolve.c.o" "gcc" "solvers/CMakeFiles/mb_solvers.dir/revolve.c.o.d"
  "/work/main/solvers/sqrt.c" "solvers/CMakeFiles/mb_solvers.dir/sqrt.c.o" "gcc" "solvers/CMakeFiles/mb_solvers.dir/sqrt.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/core/CMakeFiles/mb_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
