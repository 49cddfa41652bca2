"""An error about a file the user gave names the file, line and key, and never prints the file:
a value appears only as a short, redacted excerpt. Pointing a YAML setting (or --config) at a
.env file must not print its passwords."""

from __future__ import annotations

import json
import shutil

import pytest

from drscan.assurance import load_attestations, load_waivers
from drscan.config import load_config
from drscan.engine.loader import load_rules
from drscan.errors import InputError
from drscan.notify.config import load_notify_config
from drscan.paths import rules_dir
from tests.test_cli import drscan

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DOTENV = (f"DB_PASSWORD=hunter2-db-pass\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
          "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\nGREETING=" + "hello " * 200 + "\n")
LEAKS = ("hunter2", "AKIAIOSFODNN7EXAMPLE", AWS_SECRET, "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "hello hello hello")


def assert_short_and_clean(message: str, path) -> None:
    assert message.startswith(f"{path}:"), message
    assert "\n" not in message and len(message) < len(str(path)) + 260, message
    for leak in LEAKS:
        assert leak not in message, message


def _dotenv(tmp_path, name: str = ".env"):
    path = tmp_path / name
    path.write_text(DOTENV)
    return path


LOADERS = {
    "drscan.yaml": lambda path: load_config(path),
    "notify.yaml": lambda path: load_notify_config(path),
    "attestations.yaml": lambda path: load_attestations(path, set()),
    "waivers.yaml": lambda path: load_waivers(path, set()),
}


@pytest.mark.parametrize("loader", LOADERS, ids=list(LOADERS))
def test_a_dotenv_given_as_a_yaml_file_is_not_echoed(tmp_path, loader):
    path = _dotenv(tmp_path)
    with pytest.raises(InputError) as caught:
        LOADERS[loader](path)
    assert_short_and_clean(str(caught.value), path)


def test_a_config_setting_pointed_at_a_dotenv_is_not_echoed(tmp_path):
    """The reported case: `dr: {drills: .env}` printed the password and AWS secret."""
    _dotenv(tmp_path)
    config = tmp_path / "drscan.yaml"
    config.write_text("apps:\n  - name: pay\n    members: {tags: {app: pay}}\ndr:\n  drills: .env\n")
    with pytest.raises(InputError) as caught:
        load_config(config)
    assert_short_and_clean(str(caught.value), tmp_path / ".env")
    assert ":1: invalid drills file at (top level): expected object, got string 'DB_PASSWORD=[REDACTED]" in str(caught.value)


def test_a_dotenv_among_the_rule_files_is_not_echoed(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    path = _dotenv(rules, "zz-custom.yaml")
    with pytest.raises(InputError) as caught:
        load_rules(rules)
    assert_short_and_clean(str(caught.value), path)


@pytest.mark.parametrize("yaml_text, line, expected", [
    ("organization: {password: hunter2, token: AKIAIOSFODNN7EXAMPLE}\n", 1,
     "at organization: expected string, got a mapping of 2 keys"),
    ("fail_on: password=hunter2\n", 1, "at fail_on: must be one of critical, high, medium, low, info, none; "
                                       "got 'password=[REDACTED]'"),
    ("fail_on: " + "x" * 5000 + "\n", 1, "got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (+4960 characters)'"),
    ("apps:\n  - name: pay\n    members: {tags: {app: pay}}\n    tier: 'AKIAIOSFODNN7EXAMPLE'\n", 4,
     "at apps/0/tier: expected integer, got string '[REDACTED]'"),
    ("scope: {name: x, password: hunter2}\n", 1, "unknown key 'password' (allowed: name)"),
])
def test_bad_values_are_named_by_file_line_and_key_with_a_redacted_excerpt(tmp_path, yaml_text, line, expected):
    path = tmp_path / "drscan.yaml"
    path.write_text(yaml_text)
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert_short_and_clean(str(caught.value), path)
    assert str(caught.value).startswith(f"{path}:{line}: ") and expected in str(caught.value), str(caught.value)


def test_the_command_line_prints_one_clean_line(tmp_path):
    path = _dotenv(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.json").write_text(json.dumps({"configurationItems": []}))
    result = drscan("scan", "--import", str(tmp_path / "in"), "--config", str(path))
    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    for leak in LEAKS:
        assert leak not in result.stderr
    assert line.startswith(f"drscan: error: {path}:1: invalid configuration")
