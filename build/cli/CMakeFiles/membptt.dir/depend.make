# Empty dependencies file for membptt.
# This may be replaced when dependencies are built.
