# Empty dependencies file for mb_solvers.
# This may be replaced when dependencies are built.
