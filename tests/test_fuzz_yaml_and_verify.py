"""Property tests (hypothesis, fixed seed, bounded examples) over the YAML loaders and `drscan
verify`: real files (samples/acme, examples/, docs/, rules/) mutated byte- and line-wise or
spliced with hostile YAML, and damaged copies of a real evidence pack. Whatever the input: the
exit code is in the documented set, there is no traceback, an error is one line on stderr, and
the scan database the commands read is unchanged."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import warnings
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drscan.assurance import load_attestations, load_waivers
from drscan.engine.loader import load_catalogue, load_rules
from drscan.errors import DrscanError
from drscan.notify.config import load_notify_config
from drscan.paths import rules_dir
from tests.conftest import REPO, SAMPLES, invoke_drscan

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])

HOSTILE_SNIPPETS = [
    "bomb: &a [x, x, x, x, x, x, x, x]\nb1: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nb2: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    "b3: &d [*c, *c, *c, *c, *c, *c, *c, *c]\nb4: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nb5: [*e, *e, *e, *e, *e, *e, *e]\n",
    "loop: &loop [*loop]\n", "m: &m {<<: *m}\n", "deep: " + "[" * 3000 + "]" * 3000 + "\n",
    "deep2: " + "{a: " * 80 + "1" + "}" * 80 + "\n", "t: !!python/object/apply:os.system ['id']\n",
    "t: !!python/name:os.system x\n", "t: !custom value\n", "t: !!binary aGk=\n", "t: !!timestamp 2026-01-01\n",
    "n: .nan\n", "n: -.inf\n", "n: 1.0e+999\n", "n: 99999999999999999999999999\n", "n: " + "9" * 5000 + "\n",
    "date: 9999-12-31\n", "date: 0000-00-00\n", "rpo: 99999999999999999999w\n", "rto: " + "9" * 400 + "d\n",
    "? [a, b]\n: c\n", "<<: 5\n", "x: *undefined\n", "x: =\n", "---\nsecond: doc\n", "x: \"\\x1b[2J\"\n",
    "x: '" + "A" * 20000 + "'\n", "x: [unclosed\n", "\tx: tab\n", "x: {a: 1, a: 2}\n",
]
HOSTILE_BYTES = [b"\xff\xfe\x00", b"\x00", b"\xc3\x28", b"\xe2\x82", b"\x1b[2J", b"\xef\xbb\xbf", b"\r", b"\x85"]


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """`seed` changed in one to three ways a user, a bad editor or an attacker might."""
    data = seed
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "truncate", "splice", "drop-line", "dup-line", "bytes", "replace-value"]))
        lines = data.split(b"\n")
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        line = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "flip" and data:
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "splice":
            lines.insert(line, draw(st.sampled_from(HOSTILE_SNIPPETS)).encode().rstrip(b"\n"))
            data = b"\n".join(lines)
        elif kind == "drop-line" and lines:
            data = b"\n".join(lines[:line] + lines[line + 1:])
        elif kind == "dup-line" and lines:
            data = b"\n".join(lines[:line + 1] + lines[line:])
        elif kind == "bytes":
            data = data[:at] + draw(st.sampled_from(HOSTILE_BYTES)) + data[at:]
        elif kind == "replace-value" and b": " in lines[line]:
            key = lines[line].split(b": ", 1)[0]
            value = draw(st.sampled_from(HOSTILE_SNIPPETS)).split(": ", 1)[-1].rstrip("\n")
            lines[line] = key + b": " + value.encode()
            data = b"\n".join(lines)
    return data


def generated_yaml() -> st.SearchStrategy[bytes]:
    """Hostile YAML from scratch: nesting, aliases, tags and odd scalars in random combinations."""
    scalars = st.sampled_from(["x", "1", "-1", "0x1F", "1:30", ".nan", ".inf", "~", "yes", "2026-01-01", "9" * 30,
                               "!!str 1", "!!int 2", "!foo bar", "'q'", '"\\u202e"', "*a", "&a x"])
    tree = st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(st.sampled_from(["a", "b", "apps", "rules", "<<", "1", "on", "? x"]), inner, max_size=4).map(
            lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}")), max_leaves=30)
    return st.tuples(st.sampled_from(["", "---\n", "%YAML 1.1\n---\n"]), tree).map(lambda t: (t[0] + "a: " + t[1] + "\n").encode())


def _assert_clean_error(exc: BaseException) -> None:
    """What the CLI turns into its one-line message: a DrscanError without a line break."""
    assert isinstance(exc, DrscanError), f"{type(exc).__name__}: {exc}"
    assert "\n" not in str(exc), str(exc)


def _assert_cli_contract(code: int, err: str, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    assert code in allowed, err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and err.startswith("drscan: error: "), err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory, sample_pack):
    """A working directory with a copy of the sample database and the assurance files."""
    home = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(SAMPLES / "assurance", home / "assurance")
    shutil.copyfile(sample_pack / "drscan.db", home / "drscan.db")
    return home


# --- drscan.yaml and drills through `drscan dr` (config + database) --------------------------

CONFIG_SEEDS = [SAMPLES / "drscan.yaml", REPO / "examples/alerting/alertmanager-rules.yaml",
                REPO / "examples/schedule/kubernetes-cronjob.yaml"]


@FUZZ
@given(data=st.data())
def test_fuzzed_drscan_yaml_through_dr(fuzz_home, data):
    seed = data.draw(st.sampled_from(CONFIG_SEEDS), label="seed")
    text = data.draw(st.one_of(mutated(seed.read_bytes()), generated_yaml()), label="drscan.yaml")
    config = fuzz_home / "drscan.yaml"
    config.write_bytes(text)
    before = _digest(fuzz_home / "drscan.db")
    code, _, err = invoke_drscan("dr", "--config", str(config), "--db", str(fuzz_home / "drscan.db"), "--format", "json")
    _assert_cli_contract(code, err)
    assert _digest(fuzz_home / "drscan.db") == before


@FUZZ
@given(text=mutated((SAMPLES / "assurance" / "drills.yaml").read_bytes()))
def test_fuzzed_drills_through_dr(fuzz_home, text):
    (fuzz_home / "assurance" / "drills.yaml").write_bytes(text)
    shutil.copyfile(SAMPLES / "drscan.yaml", fuzz_home / "drscan.yaml")
    code, _, err = invoke_drscan("dr", "--config", str(fuzz_home / "drscan.yaml"), "--db", str(fuzz_home / "drscan.db"),
                                 "--format", "json")
    _assert_cli_contract(code, err)


# --- the other loaders, called as the commands call them -------------------------------------

def _load_or_clean_error(load) -> None:
    try:
        load()
    except Exception as exc:  # noqa: BLE001 - the property is about which exceptions escape
        _assert_clean_error(exc)


@FUZZ
@given(data=st.data())
def test_fuzzed_attestations_and_waivers(fuzz_home, data):
    name = data.draw(st.sampled_from(["attestations.yaml", "waivers.yaml"]), label="file")
    text = data.draw(st.one_of(mutated((SAMPLES / "assurance" / name).read_bytes()), generated_yaml()), label="text")
    path = fuzz_home / "assurance" / f"fuzzed-{name}"
    path.write_bytes(text)
    if name == "attestations.yaml":
        controls = {f"{f}:{c}" for f in ("iso27001-2022", "soc2") for c in ("A.5.29", "A.5.24", "A1.3", "CC1.1", "A.5.30")}
        _load_or_clean_error(lambda: load_attestations(path, controls))
    else:
        _load_or_clean_error(lambda: load_waivers(path, {"aws-s3-bucket-versioning", "aws-rds-multi-az"}))


NOTIFY_SEED = re.search(r"```yaml\n(.*?)```", (REPO / "docs/notify.md").read_text(), re.S).group(1).encode()
NOTIFY_ENV = {"DRSCAN_WEBHOOK_TOKEN": "t0ken", "PD_ROUTING_KEY": "r0uting", "OPSGENIE_KEY": "k3y",
              "SLACK_WEBHOOK_URL": "https://hooks.slack.example/services/T0/B0/x"}


@FUZZ
@given(text=st.one_of(mutated(NOTIFY_SEED), generated_yaml()))
def test_fuzzed_notify_yaml(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("notify") / "notify.yaml"
    path.write_bytes(text)
    with mock.patch.dict(os.environ, NOTIFY_ENV):
        _load_or_clean_error(lambda: load_notify_config(path))


RULE_SEEDS = sorted(p for p in rules_dir().rglob("*.yaml") if "controls" not in p.parts)


@FUZZ
@given(data=st.data())
def test_fuzzed_rule_files_and_catalogues(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("rules")
    shutil.copytree(rules_dir() / "controls", root / "controls")
    if data.draw(st.booleans(), label="catalogue"):
        catalogue = data.draw(st.sampled_from(sorted((root / "controls").glob("*.yaml"))), label="seed")
        catalogue.write_bytes(data.draw(mutated(catalogue.read_bytes()), label="text"))
        _load_or_clean_error(lambda: load_catalogue(catalogue))
    else:
        seed = data.draw(st.sampled_from(RULE_SEEDS), label="seed")
        (root / seed.name).write_bytes(data.draw(st.one_of(mutated(seed.read_bytes()), generated_yaml()), label="text"))
        _load_or_clean_error(lambda: load_rules(root))


# --- drscan verify on damaged evidence packs ---------------------------------------------------

def _rezip(original: bytes, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a duplicate name is one of the damages
        for name, body in change(members):
            target.writestr(name, body)
    return out.getvalue()


@st.composite
def damaged_pack(draw, original: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "append", "add", "rename", "remove", "duplicate", "manifest"]))
    if kind == "flip":
        flips = draw(st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), min_size=1, max_size=8))
        data = bytearray(original)
        for at, value in flips:
            data[at] = value
        return bytes(data)
    if kind == "truncate":
        return original[:draw(st.integers(0, len(original) - 1))]
    if kind == "append":
        return original + draw(st.binary(min_size=1, max_size=2048))
    name = draw(st.sampled_from(["extra.txt", "../escape.txt", "controls/soc2/CC1.1.json", "manifest.json", "a\x1b[2Jb",
                                 "dir/", "findings.json"]))
    if kind == "add":
        return _rezip(original, lambda members: members + [(name, draw(st.binary(max_size=256)))])
    if kind == "rename":
        index = draw(st.integers(0, 30))
        return _rezip(original, lambda members: [((name if i == index % len(members) else n), b)
                                                 for i, (n, b) in enumerate(members)])
    if kind == "remove":
        index = draw(st.integers(0, 30))
        return _rezip(original, lambda members: [m for i, m in enumerate(members) if i != index % len(members)])
    if kind == "duplicate":
        index = draw(st.integers(0, 30))
        return _rezip(original, lambda members: members + [members[index % len(members)]])

    def corrupt_manifest(members):
        out = []
        for member_name, body in members:
            if member_name == "manifest.json":
                body = draw(mutated(body))
            out.append((member_name, body))
        return out

    return _rezip(original, corrupt_manifest)


@FUZZ
@given(data=st.data())
def test_fuzzed_evidence_packs_through_verify(sample_pack, tmp_path_factory, data):
    original = (sample_pack / "evidence.zip").read_bytes()
    path = tmp_path_factory.mktemp("verify") / "evidence.zip"
    path.write_bytes(data.draw(damaged_pack(original), label="pack"))
    code, out, err = invoke_drscan("verify", str(path), "--public-key", str(sample_pack / "signing.pub"))
    _assert_cli_contract(code, err)
    if code == 0:
        assert out.startswith("OK: ")
    if code == 1:  # the verdict, then the problems found
        assert err.startswith("NOT INTACT:"), err
