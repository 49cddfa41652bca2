"""Errors drscan raises; the CLI maps each to an exit code (see README, "Exit codes")."""

# Anything that is not a DrscanError (a bug, or a failure drscan did not foresee) exits with
# this code, so CI never reads a crash as "the gate failed" (1). 70 is EX_SOFTWARE in sysexits.h.
INTERNAL_ERROR_EXIT = 70


class DrscanError(Exception):
    """Base class. `exit_code` is what the CLI exits with."""

    exit_code = 2


class InputError(DrscanError):
    """A file the user gave us (export, config, rule) is malformed. Message names file and line/record."""


class ConfigError(InputError):
    """drscan.yaml is invalid."""


class RuleError(InputError):
    """A rule file or control catalogue is invalid."""


class OutputError(DrscanError):
    """A report or output file cannot be written (bad path, permission, disk full). Exit 2, as
    for any path the user gave us; nothing half-written is left at the path."""


class StoreError(DrscanError):
    """The results database cannot be read or written."""

    exit_code = 3
