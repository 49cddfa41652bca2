"""Regenerate the README's generated sections: the rule catalogue and the AWS collector table.

    python scripts/readme_sections.py
"""

from __future__ import annotations

from pathlib import Path

from drscan.collect.aws.permissions import services_markdown
from drscan.engine.loader import load_rules
from drscan.report.catalogue import BEGIN, END, catalogue_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def replace_between(text: str, begin: str, end: str, body: str) -> str:
    start, stop = text.index(begin), text.index(end)
    return text[:start] + body + text[stop + len(end):] if body.startswith(begin) else text[:start + len(begin)] + body + text[stop:]


def main() -> None:
    text = README.read_text()
    text = replace_between(text, BEGIN, END, catalogue_markdown(load_rules(README.parent / "rules")))
    text = replace_between(text, "<!-- aws-services:begin -->\n", "\n<!-- aws-services:end -->", services_markdown())
    README.write_text(text)


if __name__ == "__main__":
    main()
