# Empty dependencies file for bench_solvers.
# This may be replaced when dependencies are built.
