"""Live Kubernetes collection: list calls per (cluster, kind) with the official client."""
