file(REMOVE_RECURSE
  "libmb_core.a"
)
