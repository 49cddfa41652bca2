"""Graph stage: resources as nodes, relations as typed edges (pure; no I/O)."""
