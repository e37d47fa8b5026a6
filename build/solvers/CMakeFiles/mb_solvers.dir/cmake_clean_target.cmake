file(REMOVE_RECURSE
  "libmb_solvers.a"
)
