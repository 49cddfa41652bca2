"""IAM credential report rows that are short, long, cut off, or under a damaged header: a Gap
naming the file and line, never a user with default (false) facts; a missing column or an
empty cell leaves its facts unknown, so the rules on them are NOT_ASSESSED."""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import pytest

from drscan.collect.inventory import import_inventory
from drscan.engine.evaluate import evaluate
from drscan.engine.loader import load_rules
from drscan.errors import InputError
from drscan.graph.build import build_graph
from drscan.paths import rules_dir

NOW = datetime(2026, 11, 20, 6, tzinfo=timezone.utc)
HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
          "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
          "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
          "cert_1_last_rotated,cert_2_active,cert_2_last_rotated")
ROOT = ("<root_account>,arn:aws:iam::111111111111:root,2019-01-01T00:00:00+00:00,not_supported,2026-01-02T00:00:00+00:00,"
        "not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")
CAROL = ("carol,arn:aws:iam::111111111111:user/carol,2023-01-01T00:00:00+00:00,true,2026-11-01T00:00:00+00:00,"
         "2023-01-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")
CAROL_ARN = "arn:aws:iam::111111111111:user/carol"
ROOT_ARN = "arn:aws:iam::111111111111:root"


def scan(tmp_path: Path, text: str) -> tuple[dict, dict, list]:
    (tmp_path / "credential-report.csv").write_text(text)
    inventory = import_inventory(tmp_path)
    findings = evaluate(build_graph(inventory), load_rules(rules_dir()), NOW, inventory.gaps)
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in findings}
    return {r.id: r for r in inventory.resources}, verdicts, list(inventory.gaps)


def test_a_complete_row_fails_console_mfa(tmp_path):
    _, verdicts, gaps = scan(tmp_path, "\n".join([HEADER, ROOT, CAROL]) + "\n")
    assert verdicts[("aws-iam-user-console-mfa", CAROL_ARN)] == "FAIL" and gaps == []


@pytest.mark.parametrize("row,why", [
    (CAROL.rsplit(",", 15)[0], "7 fields where the header has 22"),          # cut off after password_next_rotation
    (CAROL + ",extra", "23 fields where the header has 22"),
])
def test_a_row_with_the_wrong_number_of_fields_is_a_gap_not_a_user_with_defaults(tmp_path, row, why):
    resources, verdicts, gaps = scan(tmp_path, "\n".join([HEADER, ROOT, row]) + "\n")
    assert CAROL_ARN not in resources
    (gap,) = gaps
    assert gap.code == "UnreadableRecord" and gap.resource_id == CAROL_ARN and gap.kinds == ("aws.iam.user",)
    assert gap.message == f"{tmp_path / 'credential-report.csv'}#line 3: {why}; record skipped"
    assert verdicts[("aws-iam-root-mfa", ROOT_ARN)] == "PASS"  # the other rows still count


def test_a_header_with_a_repeated_column_trusts_no_row(tmp_path):
    header = HEADER.replace("password_last_changed", "mfa_active")
    resources, _, gaps = scan(tmp_path, "\n".join([header, ROOT, CAROL]) + "\n")
    assert resources == {}
    (gap,) = gaps
    assert "line 1: the header repeats column(s) mfa_active; file skipped" in gap.message
    assert set(gap.kinds) == {"aws.iam.user", "aws.iam.root_account"}


def test_a_missing_column_is_unknown_not_false(tmp_path):
    """Without access_key_2_active, the root's keys cannot be said to be inactive."""
    columns = HEADER.split(",")
    drop = columns.index("access_key_2_active")

    def without(line: str) -> str:
        cells = next(csv.reader([line]))
        return ",".join(c for n, c in enumerate(cells) if n != drop)

    resources, verdicts, gaps = scan(tmp_path, "\n".join(without(x) for x in (HEADER, ROOT, CAROL)) + "\n")
    assert "access_keys_active" not in resources[ROOT_ARN].attrs
    assert verdicts[("aws-iam-root-no-access-keys", ROOT_ARN)] == "NOT_ASSESSED" and gaps == []


def test_an_empty_cell_is_unknown_not_false(tmp_path):
    no_password_flag = CAROL.replace(",true,", ",,", 1)  # password_enabled left empty
    _, verdicts, _ = scan(tmp_path, "\n".join([HEADER, ROOT, no_password_flag]) + "\n")
    assert verdicts[("aws-iam-user-console-mfa", CAROL_ARN)] == "NOT_ASSESSED"


def test_a_field_over_the_csv_limit_names_file_and_line(tmp_path):
    huge = CAROL.replace("carol,", "carol" + "x" * 200_000 + ",", 1)
    with pytest.raises(InputError, match=r"credential-report\.csv: line 3: unreadable CSV: field larger than field limit"):
        scan(tmp_path, "\n".join([HEADER, ROOT, huge]) + "\n")
