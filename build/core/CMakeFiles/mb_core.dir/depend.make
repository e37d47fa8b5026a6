# Empty dependencies file for mb_core.
# This may be replaced when dependencies are built.
