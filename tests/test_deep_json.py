"""JSON nested 10,000 deep given to `drscan plan` (a Terraform plan), `drscan drift` (state)
and `drscan verify` (an evidence pack's manifest.json): a one-line error naming the file, never
a traceback (the stdlib parser drscan falls back to for error positions recurses per level)."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from tests.collect.test_import_bounds import BUCKET
from tests.collect.test_import_fuzz import run_cli

DEEP = "[" * 10_000 + "]" * 10_000


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """A stored scan for drift to compare with."""
    work = tmp_path_factory.mktemp("drift")
    (work / "config.json").write_text(json.dumps({"configurationItems": [BUCKET]}))
    path = work / "drscan.db"
    assert run_cli("scan", "--import", str(work / "config.json"), "--db", str(path), "--quiet", "--fail-on", "none")[0] == 0
    return path


def test_a_deeply_nested_plan_is_an_input_error_naming_the_file(tmp_path):
    plan = tmp_path / "tfplan.json"
    plan.write_text('{"format_version": "1.2", "resource_changes": ' + DEEP + "}")
    code, _, err = run_cli("plan", str(plan))
    assert code == 2
    assert one_error_line(err).startswith(f"drscan: error: {plan}:1:") and "nested deeper than 1024 levels" in err


def test_a_state_nested_just_within_the_json_limit_is_read_without_a_traceback(tmp_path, db):
    """Modules 500 deep (1,000 JSON levels, within orjson's limit) are walked, not crashed on."""
    module = '{"address": "module.m", "resources": [], "child_modules": [CHILD]}'
    state = module
    for _ in range(500):
        state = state.replace("CHILD", module)
    path = tmp_path / "state.json.gz"
    path.write_bytes(gzip.compress(('{"format_version": "1.0", "values": {"root_module": ' + state.replace("CHILD", "")
                                    + "}}").encode()))
    code, _, err = run_cli("drift", "--terraform-state", str(path), "--db", str(db))
    assert code in (0, 1) and "Traceback" not in err, err


def test_a_deeply_nested_state_is_an_input_error_naming_the_file(tmp_path, db):
    state = tmp_path / "state.json"
    state.write_text('{"format_version": "1.0", "values": ' + DEEP + "}")
    code, _, err = run_cli("drift", "--terraform-state", str(state), "--db", str(db))
    assert code == 2
    assert one_error_line(err).startswith(f"drscan: error: {state}:1:") and "nested deeper than 1024 levels" in err


def test_a_pack_whose_manifest_is_deeply_nested_fails_verification_without_a_traceback(tmp_path):
    key = tmp_path / "k.key"
    assert run_cli("keygen", "--out", str(key))[0] == 0
    pack = tmp_path / "evidence.zip"
    with zipfile.ZipFile(pack, "w") as archive:
        archive.writestr("manifest.json", DEEP)
        archive.writestr("manifest.sig", "AAAA")
    code, out, err = run_cli("verify", str(pack), "--public-key", str(key.with_suffix(".pub")))
    assert code == 1 and "Traceback" not in out + err
    assert "manifest.json is not valid JSON: nested too deeply to read" in out + err


WRONG_TYPES = {  # a value of the wrong JSON type where the walk over modules, resources or instances expects another
    "plan, configuration a number": ("plan", {"format_version": "1.2", "resource_changes": [], "configuration": 5}),
    "plan, address a list": ("plan", {"format_version": "1.2", "resource_changes": [
        {"address": ["a"], "type": "aws_s3_bucket", "change": {"actions": ["create"], "after": {}}}]}),
    "plan, type a number": ("plan", {"format_version": "1.2", "resource_changes": [
        {"address": "x.a", "type": 5, "name": "a", "change": {"actions": ["create"], "after": {}}}]}),
    "state, values a number": ("state", {"format_version": "1.0", "values": 5}),
    "state, resources a number": ("state", {"format_version": "1.0", "values": {"root_module": {"resources": 5}}}),
    "state, child modules a number": ("state", {"format_version": "1.0", "values": {"root_module": {"child_modules": 5}}}),
    "raw tfstate, instances a number": ("state", {"version": 4, "resources": [
        {"mode": "managed", "type": "aws_s3_bucket", "name": "b", "instances": 5}]}),
}


@pytest.mark.parametrize("case", WRONG_TYPES)
def test_a_plan_or_state_with_a_value_of_the_wrong_type_is_an_input_error_naming_the_file(tmp_path, db, case):
    kind, document = WRONG_TYPES[case]
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(document))
    args = ("plan", str(path), "--quiet") if kind == "plan" else ("drift", "--terraform-state", str(path), "--db", str(db))
    code, _, err = run_cli(*args)
    assert code == 2, err
    assert one_error_line(err).startswith(f"drscan: error: {path}: a value has the wrong JSON type or shape"), err
