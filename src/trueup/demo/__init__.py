"""``trueup demo``: a guided run on an embedded server."""
