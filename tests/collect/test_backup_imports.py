"""Backup-tool importers on real-shaped exports (tests/fixtures/backups/), dumps made by the real
pg_dump and mariadb-dump, and the errors a malformed file gives."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from drscan.collect.imports.files import import_file
from drscan.collect.inventory import import_inventory
from drscan.errors import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "backups"


def by_kind(root: Path) -> dict[str, list]:
    found: dict[str, list] = {}
    for resource in import_inventory(root).resources:
        found.setdefault(resource.kind, []).append(resource)
    return found


@pytest.fixture(scope="module")
def imported():
    return by_kind(FIXTURES)


def test_pgbackrest_info_from_a_real_stanza_is_one_stanza_with_its_backups(imported):
    (stanza,) = imported["backup.pgbackrest.stanza"]
    info = json.loads((FIXTURES / "pg-main.pgbackrest.json").read_text())[0]
    attrs = stanza.attrs
    assert stanza.name == "main" and attrs["status_ok"] is True and attrs["status_code"] == 0
    assert attrs["system_identifier"] == str(info["db"][-1]["system-id"])
    assert attrs["archive_max_wal"] == info["archive"][-1]["max"] and attrs["pitr"] is True
    assert attrs["encrypted"] is False and attrs["cipher"] == ["none"]
    assert attrs["success_count"] == len(info["backup"]) and attrs["recent_error_count"] == 0
    assert attrs["runs"][0]["id"] == info["backup"][-1]["label"]
    assert attrs["archive_continuous_to_last_backup"] is True


def test_walg_backup_list_groups_backups_by_host_and_keeps_system_identifier(imported):
    (walg,) = imported["backup.walg.backup_set"]
    assert walg.attrs["host"] == "orders-db-1" and walg.attrs["system_identifier"] == "7301122334455667788"
    assert walg.attrs["last_success_at"] == "2026-11-20T02:00:38Z" and walg.attrs["oldest_success_at"] == "2026-11-18T02:00:03Z"
    assert "encrypted" not in walg.attrs  # backup-list does not say: absent, not False


def test_walg_wal_verify_reports_the_missing_segment(imported):
    (verify,) = imported["backup.walg.wal_verify"]
    assert verify.attrs["wal_archiving_healthy"] is False
    assert verify.attrs["wal_missing_ranges"][0]["start_segment"] == "00000001000000000000000C"


def test_barman_list_and_show_backup_merge_into_one_server(imported):
    (server,) = imported["backup.barman.server"]
    attrs = server.attrs
    assert attrs["last_success_at"] == "2026-11-20T01:21:01Z"
    assert attrs["recent_error_count"] == 1  # the FAILED backup of 2026-11-18
    assert attrs["retention_days_configured"] == 28 and attrs["encrypted"] is False
    assert attrs["system_identifier"] == "7299887766554433221"


def test_xtrabackup_metadata_files_become_one_set_with_two_backups(imported):
    (backup_set,) = imported["backup.xtrabackup.backup_set"]
    assert backup_set.attrs["run_count"] == 2 and backup_set.attrs["last_success_at"] == "2026-11-20T22:01:12Z"
    assert backup_set.attrs["encrypted"] is True  # the newest backup was made with --encrypt


def test_veeam_rest_sessions_group_by_job_and_skip_restore_sessions(imported):
    jobs = {r.name: r for r in imported["backup.veeam.job"]}
    assert set(jobs) == {"Orders SQL VM backup", "File server backup", "Shop DB VM"}
    assert jobs["Orders SQL VM backup"].attrs["last_run_succeeded"] is True
    assert jobs["File server backup"].attrs["last_run_succeeded"] is False and jobs["File server backup"].attrs["success_count"] == 0


def test_veeam_powershell_numeric_result_is_unknown_never_success(imported):
    shop = next(r for r in imported["backup.veeam.job"] if r.name == "Shop DB VM")
    numeric = next(run for run in shop.attrs["runs"] if run["status"] == "2")
    assert "ok" not in numeric and shop.attrs["success_count"] == 1
    assert shop.attrs["last_success_at"] == "2026-11-20T00:12:41Z" and "recent_error_count" not in shop.attrs


def test_bacula_llist_keeps_backup_jobs_and_reads_job_status(imported):
    (job,) = imported["backup.bacula.job"]  # the restore job (Type R) is not a backup
    assert job.name == "shop-db-dump" and job.attrs["host"] == "shop-db-1-fd"
    assert job.attrs["last_status"] == "f" and job.attrs["last_run_succeeded"] is False
    assert job.attrs["last_success_at"] == "2026-11-19T23:09:51Z" and job.attrs["recent_error_count"] == 1


def test_s3_listing_of_dumps_flags_the_empty_newest_dump(imported):
    (dumps,) = imported["backup.dump.set"]
    assert dumps.attrs["bucket_arn"] == "arn:aws:s3:::acme-db-dumps" and dumps.attrs["dump_count"] == 3
    assert dumps.attrs["latest_complete"] is False and dumps.attrs["last_success_at"] == "2026-11-19T03:12:02Z"


def _bin(name: str) -> str:
    from tests.dbservers import postgres_bin

    return str(postgres_bin() / name)


def test_real_pg_dump_and_mariadb_dump_files_are_read_head_and_tail_only(tmp_path, postgres_server, mariadb_server):
    env = postgres_server.env
    postgres_server.psql("CREATE TABLE IF NOT EXISTS dumped (id int); INSERT INTO dumped VALUES (1)")
    subprocess.run([_bin("pg_dump"), "-Fc", "-f", str(tmp_path / "orders-2026-12-01.dump"), postgres_server.dsn()], env=env, check=True)
    subprocess.run([_bin("pg_dump"), "-Fp", "-f", str(tmp_path / "orders-plain.sql"), postgres_server.dsn()], env=env, check=True)
    mariadb_server.sql("CREATE DATABASE IF NOT EXISTS dumpme; CREATE TABLE IF NOT EXISTS dumpme.t (id int); INSERT INTO dumpme.t VALUES (1)")
    with (tmp_path / "shop-2026-12-01.sql").open("wb") as out:
        subprocess.run(["mariadb-dump", f"--socket={mariadb_server.socket_path}", "-u", "root", "dumpme"], stdout=out, check=True)
    full = (tmp_path / "shop-2026-12-01.sql").read_bytes()
    with gzip.open(tmp_path / "shop-2026-12-02.sql.gz", "wb") as handle:  # cut short: no footer
        handle.write(full[: len(full) // 2])
    sets = {r.name: r for r in import_inventory(tmp_path).resources}
    orders = sets["orders"].attrs
    assert orders["latest_format"] == "pg_dump custom" and "latest_complete" not in orders  # no footer to check
    assert orders["last_success_at"][:10] == sets["orders"].observed_at[:10]  # time from the archive header
    assert sets["orders-plain"].attrs["latest_complete"] is True
    shop = sets["shop"].attrs
    assert shop["dump_count"] == 2 and shop["incomplete_count"] == 1 and shop["latest_complete"] is False


def test_a_truncated_gzip_dump_is_incomplete(tmp_path):
    text = b"-- MySQL dump 10.13\n" + b"INSERT INTO t VALUES (1);\n" * 5000 + b"-- Dump completed on 2026-12-01  3:00:12\n"
    data = gzip.compress(text)
    (tmp_path / "db.sql.gz").write_bytes(data[: len(data) - 40])
    (tmp_path / "ok.sql.gz").write_bytes(data)
    sets = {r.name: r.attrs for r in import_inventory(tmp_path).resources}
    assert sets["db"]["latest_complete"] is False
    assert sets["ok"]["latest_complete"] is True and sets["ok"]["last_success_at"] == "2026-12-01T03:00:12Z"


@pytest.mark.parametrize("name,content,where", [
    ("stanza.json", '[{"name": "main", "status": {"code": 0}, "backup": [{"label": "x", "timestamp": {"start": "soon"}}]}]',
     "#stanza 1.backup[0].timestamp.start"),
    ("walg.json", '[{"backup_name": "base_1", "time": "yesterday"}]', "#backup 1.time"),
    ("barman.json", '{"srv": [{"backup_id": "1", "status": "DONE", "end_time_timestamp": "x1"}]}', "#srv[0].end_time_timestamp"),
    ("veeam.json", '{"data": [{"sessionType": "Job", "creationTime": "2026-13-45", "name": "j"}]}', "#data 1.creationTime"),
    ("s3.json", '{"Contents": [{"Key": "a.dump", "LastModified": "never", "Size": 1}]}', "#Contents 1.LastModified"),
])
def test_a_malformed_export_is_a_one_line_error_naming_file_and_position(tmp_path, name, content, where):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError) as error:
        import_file(path)
    message = str(error.value)
    assert "\n" not in message and message.startswith(f"{path}{where}")


def test_malformed_text_formats_name_file_and_line(tmp_path):
    backup = tmp_path / "shop" / "2026-12-01"
    backup.mkdir(parents=True)
    (backup / "xtrabackup_info").write_text("uuid = 1\nthis line has no equals sign\n")
    with pytest.raises(InputError, match=rf"^{backup / 'xtrabackup_info'}:2: expected 'key = value'"):
        import_inventory(tmp_path)
    shutil.rmtree(tmp_path / "shop")
    (tmp_path / "jobs.txt").write_text("   JobId: 1\n    Name: nightly\n  JobErrors: many\n")
    with pytest.raises(InputError, match=rf"^{tmp_path / 'jobs.txt'}:1: JobErrors is not a number"):
        import_inventory(tmp_path)
    (tmp_path / "jobs.txt").write_text("   JobId: 1\n    Name: nightly\n  garbage without colon\n")
    with pytest.raises(InputError, match=rf"^{tmp_path / 'jobs.txt'}:3: expected 'Field: value'"):
        import_inventory(tmp_path)
    (tmp_path / "jobs.txt").unlink()
    (tmp_path / "x.dump").write_bytes(b"PGDMP\x01")
    with pytest.raises(InputError, match=rf"^{tmp_path / 'x.dump'}: byte 5: pg_dump custom-format header is truncated"):
        import_inventory(tmp_path)


def test_a_single_dump_file_can_be_imported_on_its_own(tmp_path):
    path = tmp_path / "only.sql"
    path.write_text("-- MySQL dump 10.13\nCREATE TABLE t (id int);\n-- Dump completed\n")
    (resource,) = import_inventory(path).resources
    assert resource.kind == "backup.dump.set" and resource.attrs["latest_complete"] is True
