"""DR readiness: per-application RPO/RTO estimates per disruption, strategy detection, failure
simulation, runbooks and diagrams, computed from the dependency graph (pure, no cloud calls)."""
