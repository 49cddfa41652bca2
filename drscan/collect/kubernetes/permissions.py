"""The read-only ClusterRole the live Kubernetes collector needs, generated from the same table
of kinds it lists (drscan.normalize.kubernetes.kinds): get and list, nothing else."""

from __future__ import annotations

from collections import defaultdict

import yaml

from drscan.normalize.kubernetes import kinds

ROLE_NAME = "drscan-reader"
VERBS = ("get", "list")


def cluster_role() -> dict:
    by_group: dict[str, set[str]] = defaultdict(set)
    for info in kinds():
        by_group[info.group].add(info.plural)
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": ROLE_NAME, "labels": {"app.kubernetes.io/name": "drscan"}},
        "rules": [{"apiGroups": [group], "resources": sorted(plurals), "verbs": list(VERBS)}
                  for group, plurals in sorted(by_group.items())],
    }


def cluster_role_yaml() -> str:
    header = ("# Read-only access for `drscan scan --k8s`: get/list on the kinds drscan reads, nothing else.\n"
              "# Bind it to the identity in your kubeconfig, e.g.:\n"
              f"#   kubectl create clusterrolebinding drscan-reader --clusterrole={ROLE_NAME} --user=<user or group>\n")
    return header + yaml.safe_dump(cluster_role(), sort_keys=False)
