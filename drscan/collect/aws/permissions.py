"""The read-only IAM policy a live AWS scan needs, generated from the operations each service
module declares (the same list a test checks every recorded API call against)."""

from __future__ import annotations

from drscan.collect.aws.registry import ORCHESTRATION_OPERATIONS, SERVICES


def required_actions(org: bool = True) -> list[str]:
    actions = {action for spec in SERVICES.values() for action in spec.operations.values()}
    actions.update(a for op, a in ORCHESTRATION_OPERATIONS.items() if org or not op.startswith(("organizations:", "sts:AssumeRole")))
    return sorted(actions)


def policy_document() -> dict:
    """An IAM policy (JSON) granting exactly the read-only actions drscan calls."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DrscanReadOnlyAudit",
            "Effect": "Allow",
            "Action": required_actions(),
            "Resource": "*",
        }],
    }


def services_markdown() -> str:
    """The README's table of AWS service collectors (kept current by a test)."""
    lines = ["| collector | scope | resource kinds | API operations |", "|---|---|---|---|"]
    for name, spec in sorted(SERVICES.items()):
        operations = ", ".join(sorted(op.split(":", 1)[1] for op in spec.operations))
        lines.append(f"| `{name}` | {'per account' if spec.scope == 'global' else 'per region'} | "
                     f"{', '.join(f'`{k}`' for k in spec.kinds)} | {operations} |")
    return "\n".join(lines)
