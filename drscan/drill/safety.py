"""The drill's safety rules, as pure checks: the scratch target's name must start with
drscan_drill_ (unless --allow-target-name), and it must not be the backup's own source."""

from __future__ import annotations

import re

from drscan.drill.model import SCRATCH_PREFIX
from drscan.errors import InputError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")


def check_target_name(name: str, allow_other: bool, what: str = "target database") -> None:
    if not name:
        raise InputError(f"--target names no {what}; give e.g. .../{SCRATCH_PREFIX}orders")
    if not _IDENTIFIER.match(name):
        raise InputError(f"--target {what} {name!r} is not a plain identifier (letters, digits, _ and -)")
    if not name.startswith(SCRATCH_PREFIX) and not allow_other:
        raise InputError(f"--target {what} {name!r} does not start with {SCRATCH_PREFIX!r}: a drill restores only into "
                         f"a scratch target it may drop (use --allow-target-name to override)")
