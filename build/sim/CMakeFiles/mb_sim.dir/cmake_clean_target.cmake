file(REMOVE_RECURSE
  "libmb_sim.a"
)
