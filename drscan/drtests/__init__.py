"""DR tests as evidence (evaluate stage): every proof that recovery works, whatever produced it
(drills file, AWS FIS experiments, AWS Backup restore tests, Chaos Mesh and LitmusChaos results,
restore drills), normalized to one form by adapters, for the readiness score."""
