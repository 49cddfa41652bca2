"""Machine-readable outputs."""
