"""Live, read-only database checks (`drscan scan --postgres DSN`, `--mysql DSN`): WAL
archiving, replication and replica state as `database.postgres.server` /
`database.mysql.server` resources."""
