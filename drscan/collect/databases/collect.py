"""Live database checks -> one Inventory (each DSN is an independent, read-only unit)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from drscan.collect.databases import mysql, postgres
from drscan.collect.databases.dsn import redact_dsn
from drscan.collect.imports.batch import ImportBatch
from drscan.model import Inventory


def collect_databases(postgres_dsns: tuple[str, ...], mysql_dsns: tuple[str, ...]) -> Inventory:
    batch = ImportBatch()
    batch.extend(postgres.read_servers(postgres_dsns))
    batch.extend(mysql.read_servers(mysql_dsns))
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Inventory(resources=tuple(replace(r, observed_at=now) for r in batch.resources), gaps=tuple(batch.gaps),
                     sources=tuple(f"live:{redact_dsn(d)}" for d in postgres_dsns + mysql_dsns))
