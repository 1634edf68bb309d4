"""Where file bytes live: outside Temporal, referenced by id."""
