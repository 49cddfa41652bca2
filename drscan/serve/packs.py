"""Evidence packs next to the dashboard (`drscan serve --packs DIR`): the zips in DIR whose
manifest.json says which scan, frameworks and audit period they cover. Only the manifest is
read (bounded); `drscan verify` checks the signature."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import orjson

MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_PACKS = 500


def _manifest(path: Path) -> dict[str, Any] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("manifest.json")
            if info.file_size > MAX_MANIFEST_BYTES:
                return None
            with archive.open(info) as handle:
                document = orjson.loads(handle.read(MAX_MANIFEST_BYTES + 1))
    except (OSError, KeyError, zipfile.BadZipFile, orjson.JSONDecodeError, RuntimeError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def list_packs(directory: Path | None) -> list[dict[str, Any]]:
    """Packs in `directory` (not recursive), newest scan first; unreadable zips are skipped."""
    if directory is None or not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob("*.zip"))[:MAX_PACKS]:
        manifest = _manifest(path)
        if manifest is None:
            continue
        metadata = manifest.get("metadata") if isinstance(manifest.get("metadata"), dict) else manifest
        scan = metadata.get("scan") if isinstance(metadata.get("scan"), dict) else {}
        frameworks = metadata.get("frameworks") if isinstance(metadata.get("frameworks"), dict) else {}
        period = metadata.get("audit_period") if isinstance(metadata.get("audit_period"), dict) else {}
        scan_id = scan.get("id") if type(scan.get("id")) is int else None  # a manifest is data from a file
        out.append({"file": path.name, "bytes": path.stat().st_size, "scan_id": scan_id,
                    "scan_started_at": scan.get("started_at"), "frameworks": sorted(str(f) for f in frameworks),
                    "audit_period": {"start": period.get("start"), "end": period.get("end")},
                    "generated_at": metadata.get("generated_at"), "organization": metadata.get("organization")})
    return sorted(out, key=lambda p: (-(p["scan_id"] or 0), p["file"]))


def pack_path(directory: Path | None, name: str) -> Path | None:
    """The pack called `name` if it is one list_packs shows (never a path outside DIR)."""
    if directory is None or "/" in name or "\\" in name or name.startswith("."):
        return None
    if name not in {p["file"] for p in list_packs(directory)}:
        return None
    return directory / name
