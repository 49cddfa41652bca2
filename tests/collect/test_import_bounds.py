"""Bounded, typed import parsing: corrupt or explosive gzip, JSON nested past any sane depth,
wrong JSON types, invalid UTF-8 and empty files each give a one-line error naming the file (and
line), or a Gap naming the file and record: never a traceback, never a silent 'compliant'."""

from __future__ import annotations

import gzip
import json
import re
import zlib

import pytest

from drscan import api
from drscan.collect.inventory import import_inventory
from drscan.errors import InputError

BUCKET = {"configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket", "resourceId": "b", "ARN": "arn:aws:s3:::b",
          "awsAccountId": "111111111111", "awsRegion": "us-east-1", "tags": {}, "configuration": {"name": "b"},
          "supplementaryConfiguration": {"BucketVersioningConfiguration": {"status": "Enabled"}}}
DISK = {"name": "//compute.googleapis.com/projects/p/zones/us-central1-a/disks/d", "assetType": "compute.googleapis.com/Disk",
        "resource": {"location": "us-central1-a", "data": {"name": "d", "sizeGb": "10"}}, "ancestors": ["projects/123"]}


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# -- gzip -----------------------------------------------------------------------------------------

def test_a_corrupt_gzip_is_one_input_error_naming_the_file(tmp_path):
    good = gzip.compress(json.dumps({"configurationItems": [BUCKET]}).encode())
    (tmp_path / "snap.json.gz").write_bytes(good[:12] + bytes(b ^ 0x5A for b in good[12:40]) + good[40:])
    with pytest.raises(InputError) as exc:
        import_inventory(tmp_path)
    assert one_line(exc).startswith(f"{tmp_path / 'snap.json.gz'}: corrupt gzip")


def test_a_truncated_gzip_is_one_input_error_naming_the_file(tmp_path):
    good = gzip.compress(json.dumps({"configurationItems": [BUCKET] * 50}).encode())
    (tmp_path / "snap.json.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError) as exc:
        import_inventory(tmp_path)
    assert one_line(exc) == f"{tmp_path / 'snap.json.gz'}: truncated gzip: the file ends before the compressed stream does"


def test_a_gzip_bomb_stops_at_the_ratio_limit_without_expanding_it(tmp_path):
    """70 MiB of zeros in about 70 KiB: past 64 MiB at over 200x, reading stops."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    bomb = b"".join(compressor.compress(chunk) for _ in range(70)) + compressor.flush()
    assert len(bomb) < 200_000
    (tmp_path / "bomb.json.gz").write_bytes(bomb)
    with pytest.raises(InputError) as exc:
        import_inventory(tmp_path)
    assert re.match(re.escape(f"{tmp_path / 'bomb.json.gz'}: gzip expands past ") + r"6\d MiB from \d+ KiB", one_line(exc))


def test_gzip_members_and_zero_padding_are_read(tmp_path):
    document = json.dumps({"configurationItems": [BUCKET]}).encode()
    (tmp_path / "snap.json.gz").write_bytes(gzip.compress(document[:30]) + gzip.compress(document[30:]) + b"\0" * 512)
    assert [r.id for r in import_inventory(tmp_path).resources] == ["arn:aws:s3:::b"]


# -- depth ----------------------------------------------------------------------------------------

DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize("name,content,where", [
    ("deep.json", '{"configurationItems": ' + DEEP + "}", ":1:"),
    ("deep.ndjson", json.dumps(DISK) + "\n" + '{"a": ' + DEEP + "}\n", ":2:"),
    ("deep-inside.json", '{"configurationItems": [{"resourceType": "AWS::S3::Bucket", "configuration": ' +
     "[" * 1000 + "]" * 1000 + "}]}", None),
])
def test_json_nested_past_the_limit_is_an_input_error_or_a_gap_never_a_traceback(tmp_path, name, content, where):
    (tmp_path / name).write_text(content)
    if where is None:  # within orjson's 1024 levels: the record is read, its configuration is not
        inventory = import_inventory(tmp_path)
        assert [g.code for g in inventory.gaps] == ["UnreadableRecord"]
        return
    with pytest.raises(InputError) as exc:
        import_inventory(tmp_path)
    assert one_line(exc).startswith(f"{tmp_path / name}{where}") and "nested deeper than 1024 levels" in str(exc.value)


# -- wrong JSON types -----------------------------------------------------------------------------

def test_an_envelope_of_the_wrong_type_is_an_input_error_naming_the_file(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps({"configurationItems": 42}))
    with pytest.raises(InputError) as exc:
        import_inventory(tmp_path)
    assert one_line(exc) == f"{tmp_path / 'x.json'}: 'configurationItems' is a number, expected a list of configuration items"


@pytest.mark.parametrize("name,document,record,why", [
    ("x.json", {"configurationItems": [BUCKET, dict(BUCKET, resourceType=["AWS::S3::Bucket"])]}, "#item 2",
     "configuration item resourceType is a list, expected text"),
    ("x.json", {"configurationItems": [BUCKET, "AWS::S3::Bucket"]}, "#item 2",
     "expected a configuration item object, got a string"),
    ("x.json", [DISK, dict(DISK, name={"x": 1})], "#asset 2", "asset lacks name or assetType (or they are not text)"),
    ("x.json", {"data": [{"id": "/subscriptions/s/rg/x", "type": ["microsoft.compute/disks"]}]}, "#row 1",
     "row lacks id or type (or they are not text)"),
    ("rds.json", {"DBInstances": [{"DBInstanceIdentifier": "db1", "DBInstanceArn": "arn:aws:rds:us-east-1:1:db:db1"},
                                  {"DBInstanceIdentifier": ["db2"], "Engine": "postgres"}]}, "#DBInstances[1]",
     "unreadable rds item (lacks 'DBInstanceIdentifier'; DBInstanceIdentifier is a list, expected text)"),
])
def test_a_record_of_the_wrong_shape_is_a_gap_naming_file_and_record(tmp_path, name, document, record, why):
    (tmp_path / name).write_text(json.dumps(document))
    inventory = import_inventory(tmp_path)
    (gap,) = inventory.gaps
    assert gap.code == "UnreadableRecord" and gap.operation == f"{tmp_path / name}{record}"
    assert gap.message.startswith(f"{tmp_path / name}{record}: {why}")
    assert len(inventory.resources) == (0 if name == "x.json" and "data" in document else 1)


@pytest.mark.parametrize("change", [
    {"configuration": 42}, {"supplementaryConfiguration": ["x"]}, {"tags": "app=payments"},
    {"availabilityZone": ["us-east-1a"]}, {"awsRegion": {"r": 1}},
])
def test_wrong_types_inside_a_record_keep_the_resource_and_leave_its_attributes_out(tmp_path, change):
    (tmp_path / "x.json").write_text(json.dumps({"configurationItems": [dict(BUCKET, **change)]}))
    (resource,) = import_inventory(tmp_path).resources
    assert resource.id == "arn:aws:s3:::b"


def test_gcp_ancestors_of_the_wrong_type_do_not_stop_the_import(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps([dict(DISK, ancestors=5, name="//compute.googleapis.com/projects/123/zones/z/disks/d")]))
    (resource,) = import_inventory(tmp_path).resources
    assert resource.account == "123"


def _stanza(name: str, **changes) -> dict:
    return {"name": name, "status": {"code": 0, "message": "ok"}, "cipher": "aes-256-cbc", "repo": [{"cipher": "aes-256-cbc"}],
            "db": [{"id": 1, "system-id": 7, "version": "16"}], "archive": [{"id": "16-1", "database": {"id": 1}, "min": "A",
                                                                        "max": "B"}],
            "backup": [{"label": "F1", "type": "full", "timestamp": {"start": 1763000000, "stop": 1763000600},
                        "archive": {"start": "A", "stop": "B"}, "info": {"size": 1}, "database": {"id": 1}}], **changes}


@pytest.mark.parametrize("changes", [{"backup": [{"timestamp": 5}]}, {"archive": [{"database": 5}]}, {"repo": 5},
                                     {"status": {"code": ["0"]}}])
def test_a_backup_stanza_of_the_wrong_types_is_a_gap_and_the_other_stanzas_count(tmp_path, changes):
    (tmp_path / "pg.pgbackrest.json").write_text(json.dumps([_stanza("main"), _stanza("bad", **changes)]))
    inventory = import_inventory(tmp_path)
    assert [r.name for r in inventory.resources if r.kind == "backup.pgbackrest.stanza"] == ["main"]
    (gap,) = inventory.gaps
    assert gap.code == "UnreadableRecord" and gap.message.startswith(f"{tmp_path / 'pg.pgbackrest.json'}#stanza 2: unreadable stanza")


def test_a_backup_session_list_of_the_wrong_types_is_a_gap_for_the_whole_file(tmp_path):
    """Sessions add up to one job's verdict: none is kept when one cannot be read."""
    good = {"id": "1", "name": "nightly", "sessionType": "Job", "creationTime": "2026-11-14T02:00:00+00:00",
            "endTime": "2026-11-14T02:18:00+00:00", "state": "Stopped", "result": {"result": "Success"}}
    bad = dict(good, id="2", sessionType=["Job"], result={"result": "Failed"})
    (tmp_path / "veeam.json").write_text(json.dumps({"data": [good, bad]}))
    inventory = import_inventory(tmp_path)
    assert not [r for r in inventory.resources if r.kind == "backup.veeam.job"]
    (gap,) = inventory.gaps
    assert gap.code == "UnreadableRecord" and gap.message.startswith(f"{tmp_path / 'veeam.json'}: unreadable veeam export")


# -- UTF-8 ----------------------------------------------------------------------------------------

def test_invalid_utf8_names_the_line_and_column(tmp_path):
    text = json.dumps({"configurationItems": [BUCKET]}, indent=2).encode()
    at = text.index(b'"b"')
    (tmp_path / "x.json").write_bytes(text[:at + 1] + b"\xff" + text[at + 2:])
    line = text[:at].count(b"\n") + 1
    column = at + 2 - text.rfind(b"\n", 0, at) - 1
    with pytest.raises(InputError) as exc:
        import_inventory(tmp_path)
    assert one_line(exc).startswith(f"{tmp_path / 'x.json'}:{line}:{column}: not UTF-8 text (byte 0xff")


def test_invalid_utf8_in_ndjson_names_the_file_line(tmp_path):
    (tmp_path / "x.ndjson").write_bytes(json.dumps(DISK).encode() + b"\n" + b'{"name": "\xc3("}\n')
    with pytest.raises(InputError) as exc:
        import_inventory(tmp_path)
    assert one_line(exc).startswith(f"{tmp_path / 'x.ndjson'}:2:11: not UTF-8 text (byte 0xc3")


# -- empty files and scans with nothing in them ---------------------------------------------------

@pytest.mark.parametrize("name,content", [("a.json", b""), ("b.json", b"  \n\t\n"), ("c.json.gz", gzip.compress(b"", mtime=0)),
                                          ("d.ndjson", b"\n\n"), ("e.csv", b"")])
def test_each_empty_file_is_a_gap_naming_it(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.json").write_text(json.dumps({"configurationItems": [BUCKET]}))
    inventory = import_inventory(tmp_path)
    assert len(inventory.resources) == 1
    (gap,) = inventory.gaps
    assert gap.code == "EmptyFile" and gap.message.startswith(f"{tmp_path / name}: the file is empty")


def test_a_scan_with_no_resources_at_all_is_an_input_error_not_compliant(tmp_path):
    for name, content in (("a.json", b""), ("b.json.gz", gzip.compress(b" ")), ("c.json", b"{}")):
        (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as exc:
        api.scan(tmp_path, formats=())
    assert one_line(exc) == (f"no resources found in {tmp_path}: nothing to assess (3 gaps: EmptyFile x2, "
                             f"UnrecognizedFormat x1; first: {tmp_path / 'a.json'}: the file is empty (or only "
                             "whitespace); file skipped)")


def test_an_empty_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"no resources found in .*: nothing to assess \(no export file or resource was found\)"):
        api.scan(tmp_path, formats=())
