"""Large exports are read a record at a time: a Config snapshot past STREAM_AT through ijson, an
NDJSON export line by line. The streamed import gives the same inventory as the whole-file one,
a syntax error still names the file (and line, or byte offset), and the parsed records do not
accumulate: the importer's memory peak does not grow with the number of records."""

from __future__ import annotations

import gzip
import json
import tracemalloc

import pytest

from drscan.collect.imports import files, streams
from drscan.collect.imports.files import file_records
from drscan.collect.inventory import import_inventory
from drscan.errors import InputError


def volume(number: int) -> dict:
    vol = f"vol-{number:08x}"
    return {
        "configurationItemStatus": "ResourceDiscovered", "resourceType": "AWS::EC2::Volume", "resourceId": vol,
        "ARN": f"arn:aws:ec2:us-east-1:111111111111:volume/{vol}", "awsAccountId": "111111111111",
        "awsRegion": "us-east-1", "availabilityZone": "us-east-1a", "configurationItemCaptureTime": "2026-11-20T06:00:00.000Z",
        "tags": {"app": "payments", "team": f"team-{number % 20:02d}"},
        "configuration": {"volumeId": vol, "size": 100, "encrypted": number % 2 == 0, "volumeType": "gp3",
                          "attachments": [{"instanceId": f"i-{number:08x}", "state": "attached"}],
                          "description": "x" * 200},
    }


def snapshot(count: int) -> bytes:
    return json.dumps({"fileVersion": "1.0", "configSnapshotId": "s-1",
                       "configurationItems": [volume(n) for n in range(count)]}).encode()


def disk(number: int) -> dict:
    return {"name": f"//compute.googleapis.com/projects/p/zones/us-central1-a/disks/d{number}",
            "assetType": "compute.googleapis.com/Disk", "updateTime": f"2026-11-{10 + number % 10:02d}T00:00:00Z",
            "resource": {"location": "us-central1-a", "data": {"name": f"d{number}", "sizeGb": "10", "description": "y" * 200}},
            "ancestors": ["projects/123"]}


@pytest.fixture
def always_stream(monkeypatch):
    monkeypatch.setattr(files, "STREAM_AT", 0)


def test_a_streamed_snapshot_gives_the_same_inventory_as_a_whole_one(tmp_path, monkeypatch):
    (tmp_path / "snap.json").write_bytes(snapshot(50))
    whole = import_inventory(tmp_path)
    records, _ = file_records(tmp_path / "snap.json", stream_at=0)
    assert not isinstance(records, list)  # a generator: read as it is consumed
    monkeypatch.setattr(files, "STREAM_AT", 0)
    streamed = import_inventory(tmp_path)
    assert len(streamed.resources) == 50
    assert streamed == whole


def test_a_gzipped_snapshot_with_a_bom_streams_too(tmp_path, always_stream):
    (tmp_path / "snap.json.gz").write_bytes(gzip.compress(b"\xef\xbb\xbf" + snapshot(3)))
    inventory = import_inventory(tmp_path)
    assert [r.source for r in inventory.resources] == [f"{tmp_path / 'snap.json.gz'}#item {n}" for n in (1, 2, 3)]


def test_a_snapshot_with_a_nested_field_first_is_read_whole(tmp_path, always_stream):
    document = {"meta": {"x": 1}, "configurationItems": [volume(1)]}
    (tmp_path / "snap.json").write_bytes(json.dumps(document).encode())
    records, _ = file_records(tmp_path / "snap.json")
    assert isinstance(records, list) and len(records) == 1


def test_a_syntax_error_in_a_streamed_snapshot_names_file_line_and_column(tmp_path, always_stream):
    text = snapshot(3).decode().replace('"size": 100', '"size": 100,,', 1)
    (tmp_path / "snap.json").write_text(text.replace("}, {", "},\n{"))
    with pytest.raises(InputError, match=r"snap\.json:1:\d+: invalid JSON"):
        import_inventory(tmp_path)


def test_a_syntax_error_in_a_huge_snapshot_names_the_byte_offset(tmp_path, always_stream, monkeypatch):
    monkeypatch.setattr(streams, "RELOCATE_AT", 0)  # too big to read again for line and column
    (tmp_path / "snap.json").write_bytes(snapshot(3)[:-30])
    with pytest.raises(InputError) as exc:
        import_inventory(tmp_path)
    message = str(exc.value)
    assert message.startswith(f"{tmp_path / 'snap.json'}: invalid JSON before byte ") and "\n" not in message


def test_ndjson_is_read_line_by_line_and_dated_by_its_newest_update(tmp_path):
    (tmp_path / "export.ndjson").write_text("".join(json.dumps(disk(n)) + "\n" for n in range(12)))
    records, batch = file_records(tmp_path / "export.ndjson")
    assert not isinstance(records, list)
    assert len(list(records)) == 12
    assert (batch.captured_at, batch.captured_basis) == ("2026-11-19T00:00:00Z", "newest Cloud Asset updateTime in the file")


def _import_peak(path) -> int:
    """tracemalloc's peak while the importer converts every record of `path`, keeping nothing."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        records, _ = file_records(path, stream_at=0)
        for record in records:
            record.convert(record.value, record.where)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name, write", [
    ("snap.json", lambda count: snapshot(count)),
    ("export.ndjson", lambda count: "".join(json.dumps(disk(n)) + "\n" for n in range(count)).encode()),
])
def test_parsed_records_do_not_accumulate(tmp_path, name, write):
    """Four times the records, about the same peak: records are parsed one at a time and dropped
    once converted (read whole, the peak grows with the file)."""
    peaks = []
    for count in (1000, 4000):
        path = tmp_path / str(count) / name
        path.parent.mkdir()
        path.write_bytes(write(count))
        peaks.append(_import_peak(path))
    assert peaks[1] <= 1.5 * peaks[0], peaks
