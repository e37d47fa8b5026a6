bench/CMakeFiles/bench_solvers.dir/bench_solvers.c.o: \
 /work/main/bench/bench_solvers.c /usr/include/stdc-predef.h
