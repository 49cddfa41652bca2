"""The README stays true: its rule catalogue is generated from rules/, and its first two
commands are the install+demo and install+test commands."""

from __future__ import annotations

import re

from drscan.report.catalogue import BEGIN, END, catalogue_markdown
from tests.conftest import REPO


def test_readme_rule_catalogue_is_current(ruleset):
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index(BEGIN): readme.index(END) + len(END)]
    assert section == catalogue_markdown(ruleset), "regenerate with: drscan rules list --markdown"


def test_readme_first_two_commands_are_demo_and_tests():
    blocks = re.findall(r"```sh\n(.*?)\n```", (REPO / "README.md").read_text(), re.S)
    assert "pip install -e ." in blocks[0] and "drscan scan --import samples/acme" in blocks[0] and "--out reports/" in blocks[0]
    assert "pip install -e '.[test]'" in blocks[1] and blocks[1].rstrip().endswith("pytest")
    ci = (REPO / ".ci" / "run").read_text()
    assert "\npytest\n" in ci


def test_readme_lists_every_aws_service_collector():
    from drscan.collect.aws.permissions import services_markdown

    readme = (REPO / "README.md").read_text()
    begin, end = "<!-- aws-services:begin -->\n", "\n<!-- aws-services:end -->"
    section = readme[readme.index(begin) + len(begin): readme.index(end)]
    assert section == services_markdown(), "regenerate with scripts/readme_sections.py"
