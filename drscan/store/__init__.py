"""Store stage: scans, resources, relations, findings and gaps in SQLite."""
