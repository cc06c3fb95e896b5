"""Migration history that tells the truth: migrations folders (trueup's own and each framework's),
the history tables frameworks keep, and what each target's history says checked against what
the database really contains. Engine-neutral: it reads tables and loads SQL through the engine."""
