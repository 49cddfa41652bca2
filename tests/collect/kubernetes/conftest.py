"""Fixtures for the live Kubernetes collector: one HTTPS fake API server per session (reset per
test), a kubeconfig with a context per cluster that trusts its certificate."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.collect.kubernetes.estate import cluster_objects, gke_objects, velero_objects
from tests.collect.kubernetes.fake_apiserver import FakeApiServer, Scenario
from tests.tls import make_certificate

CLUSTERS = ("prod-eks", "prod-gke")


@pytest.fixture(scope="session")
def apiserver(tmp_path_factory):
    cert, key = make_certificate(tmp_path_factory.mktemp("k8s-cert"), "fake kube-apiserver")
    server = FakeApiServer(cert, key)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scenario(apiserver) -> Scenario:
    """Both clusters with realistic objects; tests add forbidden kinds or expiring tokens."""
    chosen = Scenario(objects={"prod-eks": cluster_objects() + velero_objects(), "prod-gke": gke_objects()})
    apiserver.reset(chosen)
    return chosen


@pytest.fixture
def kubeconfig(apiserver, tmp_path) -> Path:
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "prod-eks", "preferences": {},
        "clusters": [{"name": f"arn:aws:eks:us-east-1:111111111111:cluster/{c}" if c == "prod-eks" else f"gke_acme-analytics_europe-west1_{c}",
                      "cluster": {"server": f"{apiserver.url}/{c}", "certificate-authority": str(apiserver.cert)}} for c in CLUSTERS],
        "users": [{"name": "drscan", "user": {"token": "test-token"}}],
        "contexts": [{"name": c, "context": {"cluster": f"arn:aws:eks:us-east-1:111111111111:cluster/{c}" if c == "prod-eks"
                                             else f"gke_acme-analytics_europe-west1_{c}", "user": "drscan"}} for c in CLUSTERS],
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path
