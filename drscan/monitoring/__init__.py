"""Monitoring and alerting evidence (collect and evaluate stages): Prometheus rule files and HTTP
API, Alertmanager configuration and its routing tree, and the per-app checks drscan derives from
them (is each entrypoint probed and alerted on, does the alert page someone, how fast)."""
