"""Restore drills (`drscan drill restore postgres|mysql`): restore a real backup into a scratch
target, time each phase, verify it, store the record, and remove the scratch target. The only
part of drscan that writes to a database, and only to the scratch target it creates."""
