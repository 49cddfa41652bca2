"""Hostile YAML in every file drscan reads (drscan.yaml, rule files, control catalogues, drills,
attestations, waivers, notify.yaml): each class is a one-line InputError naming file and line,
never a traceback, a hang or gigabytes of memory."""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drscan.assurance import load_attestations, load_waivers
from drscan.config import load_config
from drscan.engine.loader import load_catalogue, load_rules
from drscan.errors import InputError
from drscan.notify.config import load_notify_config
from drscan.paths import rules_dir
from drscan.yamlfile import MAX_DEPTH, MAX_FILE_BYTES, load_yaml
from tests.conftest import REPO, SAMPLES, invoke_drscan

BILLION_LAUGHS = "\n".join(
    ['organization: "x"', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]) + "\n"

HOSTILE = {
    # name: (YAML text, line the error names, words the message has)
    "billion laughs": (BILLION_LAUGHS, 7, "values"),  # the *aliases whose expansion passes the bound
    "recursive alias": ("organization: x\nscope: &loop {name: [*loop]}\n", 2, "recursive alias"),
    "recursive merge": ("organization: x\nscope: &m\n  <<: *m\n", 3, "recursive alias"),
    "deep nesting": ("organization: x\nscope: " + "[" * 5000 + "]" * 5000 + "\n", 2, "nest"),
    "deep once expanded": ("a: &a " + "[" * 40 + "1" + "]" * 40 + "\nb: &b " + "[" * 40 + "*a" + "]" * 40 + "\n", 2, "64 levels"),
    "python tag on a scalar": ("organization: !!python/object/apply:os.system 'echo pwned'\n", 1, "tag"),
    "python tag on a sequence": ("organization: x\nscope: !!python/object/apply:os.system ['echo pwned']\n", 2, "tag"),
    "unknown local tag": ("organization: x\n\nfail_on: !secret high\n", 3, "tag"),
    "binary tag": ("organization: !!binary aGVsbG8=\n", 1, "tag"),
    "timestamp tag": ("organization: !!timestamp 2026-01-01\n", 1, "tag"),
    "set tag": ("organization: x\nrules: !!set {a, b}\n", 2, "tag"),
    "not utf-8": ("organization: x\nscope:\n  name: caf\udce9\n", 3, "UTF-8"),
    "control character": ("organization: x\nscope: {name: \"a\x1b[2Jb\x07\"}\n", 2, "control character"),
    "integer beyond 64 bits": ("organization: x\ndr:\n  drill_max_age_days: 99999999999999999999999\n", 3, "integer"),
    "integer with thousands of digits": ("organization: x\n\ndr: {drill_max_age_days: " + "9" * 5000 + "}\n", 3, "integer"),
    "nan": ("organization: x\nevidence_ttl_days: {default: .nan}\n", 2, "finite"),
    "infinity": ("organization: x\ndr:\n  assumptions: {pitr_rpo_seconds.rds: .inf}\n", 3, "finite"),
    "float overflow": ("organization: x\ndr:\n  assumptions: {pitr_rpo_seconds.rds: 1.0e+999}\n", 3, "finite"),
    "key is a list": ("organization: x\n? [a, b]\n: c\n", 2, "key"),
    "merge of a scalar": ("organization: x\nscope:\n  <<: 5\n", 3, "merge"),
    "undefined alias": ("organization: x\nscope: *nowhere\n", 2, "alias"),
    "two documents": ("organization: x\n---\norganization: y\n", 2, "single document"),
    "duplicate key": ("organization: x\nfail_on: high\nfail_on: low\n", 3, "duplicate key"),
}


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path


def _assert_one_line_naming(exc: InputError, path: Path, line: int, words: str) -> None:
    message = str(exc)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    assert words.lower() in message.lower(), message


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_yaml_is_an_input_error_naming_file_and_line(tmp_path, name):
    text, line, words = HOSTILE[name]
    path = _write(tmp_path / "drscan.yaml", text)
    with pytest.raises(InputError) as error:
        load_yaml(path)
    _assert_one_line_naming(error.value, path, line, words)


def test_a_billion_laughs_config_stops_quickly_and_small(tmp_path):
    """Through the CLI, under a 1 GB address-space limit and a 60 s timeout (before: >60 s, 1.8 GB)."""
    path = _write(tmp_path / "drscan.yaml", BILLION_LAUGHS)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    result = subprocess.run([sys.executable, "-m", "drscan.cli", "rules", "list", "--config", str(path)], cwd=REPO,
                            capture_output=True, text=True, timeout=60, preexec_fn=limit)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"drscan: error: {path}:7: invalid YAML: more than 200,000 values "
                                          f"(each alias counted as often as it is expanded)"]


def test_a_file_over_the_size_cap_is_not_read(tmp_path):
    path = _write(tmp_path / "drscan.yaml", "organization: x\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(InputError, match=r"larger than 2 MB"):
        load_yaml(path)


def test_the_pure_python_parser_is_bounded_too(tmp_path, monkeypatch):
    """PyYAML without libyaml (a source build) composes with the same bounds."""
    import drscan.yamlfile as yamlfile

    monkeypatch.setattr(yamlfile, "_LibyamlParser", None)
    path = _write(tmp_path / "deep.yaml", "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n")
    with pytest.raises(InputError, match=r"deep.yaml:1: invalid YAML: nested more than 64 levels deep"):
        load_yaml(path)
    path = _write(tmp_path / "tag.yaml", "a: 1\nb: !!python/name:os.system x\n")
    with pytest.raises(InputError, match=r"tag.yaml:2: .*tag"):
        load_yaml(path)


def test_plain_yaml_features_still_work(tmp_path):
    path = _write(tmp_path / "drscan.yaml", (
        "defaults: &defaults {rpo: 15m, rto: 1h, tier: 1}\n"
        "apps:\n"
        "  - <<: *defaults\n"
        "    name: web\n"
        "    tier: 2\n"
        "    members: {ids: [a]}\n"
        "when: 2026-01-31\n"
        "on: yes\n"
        "1: !!str 007\n"
        "big: 9223372036854775807\n"
        "ratio: 0.5\n"
        "empty: ~\n"))
    document = load_yaml(path)
    app = document.data["apps"][0]
    assert app == {"rpo": "15m", "rto": "1h", "tier": 2, "name": "web", "members": {"ids": ["a"]}}
    assert document.data["when"] == "2026-01-31"  # dates stay text; the caller parses and range-checks them
    assert document.data["on"] is True and document.data["1"] == "007"  # keys are text, as in JSON
    assert document.data["big"] == 2**63 - 1 and document.data["ratio"] == 0.5 and document.data["empty"] is None
    assert document.line_of(("apps", 0, "tier")) == 5 and document.line_of(("apps", 0, "name")) == 4


def test_bundled_yaml_files_load_unchanged(ruleset):
    assert len(ruleset.rules) > 100 and set(ruleset.catalogues) == {"iso27001-2022", "soc2", "hipaa", "gdpr",
                                                                 "cis-aws-3.0", "cis-gcp-3.0", "cis-azure-3.0"}
    config = load_config(SAMPLES / "drscan.yaml")
    assert config.apps and config.dr.drills and all(2025 <= d.date.year <= 2026 for d in config.dr.drills)


def test_no_module_but_yamlfile_parses_yaml():
    """Every YAML drscan reads goes through the bounded loader (writing YAML, as `drscan
    permissions k8s` does, and naming yaml.YAMLError are fine)."""
    offenders = []
    for path in (REPO / "drscan").rglob("*.py"):
        if path.name == "yamlfile.py":
            continue
        text = path.read_text()
        if re.search(r"yaml\.(safe_|full_|unsafe_)?load|yaml\.(compose|parse|scan)|yaml\.\w*Loader|^\s*from yaml import", text, re.M):
            offenders.append(path.name)
    assert offenders == []


# --- the same classes through each loader ---------------------------------------------------

RULE_FILE_HEAD = """rules:
  - id: custom-bucket-name
    version: 1
    title: A custom rule on bucket names
    severity: low
    category: logging
    kinds: [aws.s3.bucket]
    controls: {iso27001-2022: [A.8.15]}
    remediation: Rename the bucket to something sensible.
"""


def _rules_dir(tmp_path: Path, rule_file: str) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir() / "controls", root / "controls")
    (root / "custom.yaml").write_bytes(rule_file.encode("utf-8", "surrogateescape"))
    return root


LOADERS = {
    "drscan.yaml": lambda tmp, body: load_config(_write(tmp / "drscan.yaml", "organization: x\n" + body)),
    "drills": lambda tmp, body: load_config(_write(tmp / "drscan.yaml", (
        "apps: [{name: web, members: {ids: [a]}}]\ndr: {drills: drills.yaml}\n"))) if _write(
        tmp / "drills.yaml", "drills:\n  - {app: web, date: 2026-01-01, type: drill}\n" + body) else None,
    "rule file": lambda tmp, body: load_rules(_rules_dir(tmp, RULE_FILE_HEAD + "    condition: {attr: name, op: exists}\n" + body)),
    "control catalogue": lambda tmp, body: load_catalogue(_write(tmp / "cat.yaml", (
        "framework: x\ntitle: X\nversion: '1'\nthemes:\n  - {id: t, name: T, controls: [{id: c, title: C}]}\n" + body))),
    "attestations": lambda tmp, body: load_attestations(_write(tmp / "attestations.yaml", (
        "attestations:\n  - {control: 'soc2:CC1.1', statement: Reviewed every year., owner: ciso, date: 2026-01-01,"
        " expires: 2027-01-01}\n" + body)), {"soc2:CC1.1"}),
    "waivers": lambda tmp, body: load_waivers(_write(tmp / "waivers.yaml", (
        "waivers:\n  - {rule: aws-s3-*, resources: ['*'], owner: a, reason: accepted, ticket: T-1, expires: 2027-01-01}\n"
        + body)), {"aws-s3-bucket-versioning"}),
    "notify.yaml": lambda tmp, body: load_notify_config(_write(tmp / "notify.yaml", (
        "targets:\n  - {name: hook, kind: webhook, url: 'https://hooks.example.com/x'}\n" + body))),
}

TRAILERS = {  # appended as line 3 (line 2 for the first two loaders' own content varies: checked loosely)
    "billion laughs": "x: " + "[" * 3 + "]" * 3 + "\n" + BILLION_LAUGHS.split("\n", 1)[1].replace("organization", "zz"),
    "python tag": "x: !!python/object/apply:os.system ['id']\ny: !!python/name:os.system z\n",
    "not utf-8": "x: caf\udce9\n",
    "deep nesting": "x: " + "{a: " * 200 + "1" + "}" * 200 + "\n",
    "nan": "x: .nan\n",
}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("trailer", TRAILERS)
def test_every_yaml_loader_rejects_hostile_yaml_with_one_line(tmp_path, loader, trailer):
    with pytest.raises(InputError) as error:
        LOADERS[loader](tmp_path, TRAILERS[trailer])
    message = str(error.value)
    hostile_file = {"drills": "drills.yaml", "rule file": "rules/custom.yaml", "control catalogue": "cat.yaml",
                    "attestations": "attestations.yaml", "waivers": "waivers.yaml"}.get(loader, loader)
    assert "\n" not in message and re.match(rf"^{re.escape(str(tmp_path / hostile_file))}:\d+: ", message), message


def test_hostile_config_through_the_cli_is_exit_2_and_one_line(tmp_path):
    for name, (text, line, _) in HOSTILE.items():
        if name == "billion laughs":
            continue  # its own test runs it under a memory limit
        path = _write(tmp_path / "drscan.yaml", text)
        code, _, err = invoke_drscan("dr", "--config", str(path), "--db", str(tmp_path / "none.db"))
        assert code == 2, (name, err)
        assert err.splitlines() == [err.strip()] and err.startswith(f"drscan: error: {path}:{line}: "), (name, err)


@pytest.mark.parametrize("text, words", [
    (BILLION_LAUGHS, ":7: invalid YAML: more than 200,000 values"),
    ("apiVersion: v1\nclusters: [unclosed\n", ":3: invalid YAML"),
    ("apiVersion: v1\nusers: !!python/object/apply:os.system ['id']\n", ":2: invalid YAML: tag"),
])
def test_a_hostile_kubeconfig_is_refused_before_the_kubernetes_client_parses_it(tmp_path, text, words):
    """The kubeconfig is read by the Kubernetes client (yaml.safe_load, unbounded): drscan reads it
    with the bounded loader first."""
    kubeconfig = _write(tmp_path / "kubeconfig", text)
    code, _, err = invoke_drscan("scan", "--k8s", "--kubeconfig", str(kubeconfig), "-q")
    assert code == 2 and err.splitlines() == [err.strip()] and err.startswith(f"drscan: error: {kubeconfig}{words}"), err
