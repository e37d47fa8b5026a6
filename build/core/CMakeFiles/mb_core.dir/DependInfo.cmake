
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/core/error.c" "core/CMakeFiles/mb_core.dir/error.c.o" "gcc" "core/CMakeFiles/mb_core.dir/error.c.o.d"
  "/work/main/core/fileio.c" "core/CMakeFiles/mb_core.dir/fileio.c.o" "gcc" "core/CMakeFiles/mb_core.dir/fileio.c.o.d"
  "/work/main/core/json.c" "core/CMakeFiles/mb_core.dir/json.c.o" "gcc" "core/CMakeFiles/mb_core.dir/json.c.o.d"
  "/work/main/core/plan.c" "core/CMakeFiles/mb_core.dir/plan.c.o" "gcc" "core/CMakeFiles/mb_core.dir/plan.c.o.d"
  "/work/main/core/problem.c" "core/CMakeFiles/mb_core.dir/problem.c.o" "gcc" "core/CMakeFiles/mb_core.dir/problem.c.o.d"
  "/work/main/core/report.c" "core/CMakeFiles/mb_core.dir/report.c.o" "gcc" "core/CMakeFiles/mb_core.dir/report.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
