"""Writing files: readers never see half a file, and nothing is overwritten by accident.

Every writer in kopa goes through here (records from `kopa new` and `kopa init`, the cache,
and later invoices):

- ``create_new``: a new file, all at once, never over an existing one;
- ``replace``: a file's new content, all at once: a temporary file in the same folder,
  fsync, rename over the old one, fsync the folder (a crash leaves the old file or the
  new one, never a mix; pip's ``adjacent_tmp_file`` and pre-commit do the same);
- ``lock``: one writer at a time, by a lock file beside the file (``filelock``), waiting at
  most a given time and then failing with ``FileLocked``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from kopa_cli.core import oserrors
from kopa_cli.core.errors import CannotCreate, FileLocked, TargetExists
from kopa_cli.core.i18n import _

LOCK_TIMEOUT = 10.0  # seconds; a kopa command that holds a lock longer has hung


def shown(path: Path) -> str:
    """A path as the user can type it: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _adjacent_temporary(path: Path, data: bytes, durable: bool = True) -> Path:
    """``data`` in a new temporary file beside ``path``, on disk (fsync, if ``durable``) before it is named.

    Created with the usual permissions (0666 less the umask), not mkstemp's 0600: the file
    becomes a record the user edits."""
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; folders cannot be opened so on Windows."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def create_new(path: Path, text: str) -> None:
    """Create ``path`` holding ``text`` (UTF-8, LF line ends), all at once, never over an existing file.

    The text goes to a temporary file beside it first; a hard link then gives it its name,
    which fails if the name is taken (even by a file created a moment ago). Without hard
    links (some file systems) an exclusive create is the fallback.

    Raises ``TargetExists`` if the name is taken, ``CannotCreate`` for any other failure.
    """
    if path.exists() or path.is_symlink():
        raise TargetExists(path=shown(path))
    data = text.encode("utf-8")
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = _adjacent_temporary(path, data)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here: exclusive create
            with open(path, "xb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        _fsync_folder(path.parent)
    except FileExistsError:
        if path.exists() or path.is_symlink():
            raise TargetExists(path=shown(path)) from None
        raise CannotCreate(path=shown(path), reason=_("a file stands where a folder should be")) from None
    except OSError as error:
        raise CannotCreate(path=shown(path), reason=oserrors.reason(error)) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def replace(path: Path, data: bytes, durable: bool = True) -> None:
    """Give ``path`` the content ``data`` all at once: the old content or the new, never a mix.

    ``durable=False`` skips the fsyncs, for files that may be lost (the cache): readers still
    never see a mix, but after a power cut the file may be empty or damaged. An fsync of
    tens of megabytes can take seconds on a busy disk.

    Raises ``CannotCreate`` if it cannot be written (the old file is then left as it was)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = _adjacent_temporary(path, data, durable)
        try:
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        if durable:
            _fsync_folder(path.parent)
    except OSError as error:
        raise CannotCreate(path=shown(path), reason=oserrors.reason(error)) from None


@contextlib.contextmanager
def lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the lock of ``path`` (the file ``<path>.lock`` beside it) while the block runs.

    Other kopa processes wait for it, up to ``timeout`` seconds (0: do not wait). The
    operating system releases it when its holder ends, even by a crash.

    Raises ``FileLocked`` when the lock is still held after ``timeout`` seconds, and
    ``CannotCreate`` when the lock file cannot be made (a read-only folder)."""
    from filelock import FileLock, Timeout  # imported here: only writers pay for it

    lock_file = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        held = FileLock(str(lock_file), timeout=timeout)
        held.acquire()
    except Timeout:
        raise FileLocked(path=shown(path), seconds=f"{timeout:g}") from None
    except OSError as error:
        raise CannotCreate(path=shown(lock_file), reason=oserrors.reason(error)) from None
    try:
        yield
    finally:
        held.release()
