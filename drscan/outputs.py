"""Writing the files drscan produces (reports, CI outputs, metrics, diagrams) at the report end
of the flow: each is written to a temporary name in its directory, flushed to disk and renamed
over the target, so a reader never sees half a file and a failure (full disk, no permission)
leaves the previous file as it was. Every OSError becomes an OutputError naming the path."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from drscan.errors import OutputError


def _cause(exc: OSError) -> str:
    return exc.strerror or str(exc)


def prepare_directory(directory: Path, for_file: Path | None = None) -> Path:
    """Create `directory` (and its parents) for output, or say why it cannot be written to
    (naming `for_file` first when the directory is that file's)."""
    directory = Path(directory)
    where = f"{for_file}: cannot write into {directory}" if for_file is not None else f"{directory}"
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{where}: not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{where}: cannot create the directory: {_cause(exc)}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"{where}: permission denied")
    return directory


def prepare_file(path: Path) -> Path:
    """Check early (before a long scan) that `path` can be written: its directory is created
    and writable, and the path itself is not a directory."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name")
    prepare_directory(path.parent, for_file=path)
    return path


@contextmanager
def atomic_file(path: Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """`with atomic_file(path) as handle:` write to a new temporary file beside `path`; when the
    block ends it is flushed to disk and renamed over `path`. On any failure the temporary file
    is removed and `path` is left as it was. `mode` sets the permissions exactly (e.g. 0o644 for
    a file another user's collector reads); otherwise the umask decides, as for any new file."""
    target = prepare_file(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)  # O_EXCL: a new name, never a symlink
        with os.fdopen(fd, "w+b") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the name points at it
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write: {_cause(exc)}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes, mode: int | None = None) -> Path:
    """Write text (UTF-8) or bytes to `path` atomically (see atomic_file); returns the path."""
    with atomic_file(path, mode) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)
