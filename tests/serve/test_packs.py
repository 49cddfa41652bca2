"""Packs beside the dashboard are files someone put there: a manifest of the wrong types or a zip
that is not one is skipped or read as unknown, never a failing page."""

from __future__ import annotations

import json
import zipfile

from drscan.serve.packs import list_packs, pack_path


def _pack(path, manifest) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", manifest if isinstance(manifest, str) else json.dumps(manifest))


def test_hostile_manifests_are_listed_as_unknown_or_skipped(tmp_path):
    _pack(tmp_path / "good.zip", {"metadata": {"scan": {"id": 3}, "frameworks": {"soc2": {}}}})
    _pack(tmp_path / "string-id.zip", {"metadata": {"scan": {"id": "7"}, "frameworks": ["x"], "audit_period": 5}})
    _pack(tmp_path / "list.zip", [1, 2])
    _pack(tmp_path / "deep.zip", "[" * 5000 + "]" * 5000)
    (tmp_path / "not-a-zip.zip").write_text("PK but no")
    packs = list_packs(tmp_path)
    assert [(p["file"], p["scan_id"]) for p in packs] == [("good.zip", 3), ("string-id.zip", None)]
    assert packs[1]["frameworks"] == [] and packs[1]["audit_period"] == {"start": None, "end": None}
    assert pack_path(tmp_path, "list.zip") is None and pack_path(tmp_path, "../good.zip") is None
