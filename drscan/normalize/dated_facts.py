"""Dated facts normalizers look up (drscan/data/*.yaml): when each Kubernetes minor version leaves
standard support on GKE and AKS. Facts that change with time live in data files with their source
and retrieval date, not in code."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

KUBERNETES_VERSIONS = Path(__file__).resolve().parents[1] / "data" / "kubernetes_versions.yaml"
PLATFORMS = ("gke", "aks", "aks_lts")


@lru_cache(maxsize=1)
def kubernetes_support_table() -> dict[str, dict[str, date]]:
    """platform -> minor version ('1.30') -> end of standard support (read once, on first use)."""
    from drscan.yamlfile import load_yaml

    data = load_yaml(KUBERNETES_VERSIONS).data
    return {platform: {str(minor): (end if isinstance(end, date) else date.fromisoformat(str(end)))
                       for minor, end in (data.get(platform) or {}).items()}
            for platform in PLATFORMS}


def kubernetes_end_of_support(platform: str, minor: str) -> date | None:
    """None when the minor version is not in the table (unknown: NOT_ASSESSED, never supported)."""
    return kubernetes_support_table().get(platform, {}).get(minor)
