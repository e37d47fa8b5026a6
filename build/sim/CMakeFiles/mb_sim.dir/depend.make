# Empty dependencies file for mb_sim.
# This may be replaced when dependencies are built.
