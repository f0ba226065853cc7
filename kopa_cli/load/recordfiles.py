"""Listing and reading record files: the only code that reads them from disk.

A ``Source`` is where files come from: the working tree (``DirectorySource``) or a git
revision (gitsource.py). Names, links and sizes are judged here, before any parsing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

from kopa_cli.core import codes, oserrors
from kopa_cli.core.diagnostics import Diagnostic, Msg, Plural, Suggestion, diagnostic
from kopa_cli.core.i18n import N_, N_plural
from kopa_cli.core.identifiers import is_id
from kopa_cli.core.spelling import fold_id
from kopa_cli.load.kinds import BY_NAME, CALL, CALL_PATH, IN_FOLDERS, RECORDS

MAX_FILE_BYTES = 1024 * 1024  # a record is a few kilobytes; more is a mistake or an attack
_BYTES = N_plural("{n} byte", "{n} bytes")


def max_bytes(path: str) -> int:
    """The largest file accepted at ``path``: its kind's ``max_bytes`` (a ledger's is larger)."""
    kind = kind_of(path)
    return BY_NAME[kind].max_bytes if kind is not None else MAX_FILE_BYTES


def too_large(path: str, size: int) -> Diagnostic:
    """KOPA102 for a file of ``size`` bytes, more than ``max_bytes(path)``."""
    return diagnostic(path, (1, 1), codes.TOO_LARGE, size=Plural(_BYTES, size), limit=Plural(_BYTES, max_bytes(path)))
_KIND_OF_FOLDER = {kind.folder: kind.name for kind in IN_FOLDERS}


class Source(Protocol):
    """Where record files come from: paths are relative to the workspace, with '/'."""

    def paths(self) -> Iterator[str]: ...

    def read(self, path: str) -> bytes | Diagnostic: ...


@dataclass
class DirectorySource:
    root: Path

    def paths(self) -> Iterator[str]:
        records = self.root / RECORDS
        for folder, dirs, files in os.walk(records):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            base = Path(folder).relative_to(self.root).as_posix()
            for name in sorted(files):
                if not name.startswith("."):
                    yield f"{base}/{name}"
            for name in dirs:  # os.walk does not enter linked folders; say so if they leave
                if (Path(folder) / name).is_symlink():
                    yield f"{base}/{name}"

    def signature(self) -> tuple[str, int]:
        """A hash of every file's path, size, times and inode, and the newest modification time:
        equal signatures mean unchanged files without reading them (as git's index does)."""
        digest = hashlib.blake2b(digest_size=20)
        newest = 0
        for path in self.paths():
            try:
                status = os.stat(os.path.join(self.root, path))
                fields = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_mode)
                newest = max(newest, status.st_mtime_ns)
            except OSError as error:
                fields = (error.errno,)
            digest.update(f"{path}\0{fields}\0".encode())
        return digest.hexdigest(), newest

    def link_problem(self, path: str) -> Diagnostic | None:
        """A link leaving the workspace, looping or naming a folder: reported before the
        file's name or kind is judged, since those say nothing about where it points."""
        full = self.root / path
        try:
            if not full.is_symlink():
                return None
            target = full.resolve()
            if not target.is_relative_to(self.root.resolve()):
                return diagnostic(path, (1, 1), codes.SYMLINK_OUTSIDE, target=str(target))
            if target.is_dir():
                return diagnostic(path, (1, 1), codes.UNREADABLE, reason=Msg(N_("it is a link to a folder; kopa does not follow those")))
        except RuntimeError:  # Path.resolve() on a symlink loop, before Python 3.13
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=Msg(N_("it is a link that points to itself")))
        except OSError as error:
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=oserrors.reason(error))
        return None

    def read(self, path: str) -> bytes | Diagnostic:
        full = os.path.join(self.root, path)
        if os.path.islink(full) and (problem := self.link_problem(path)):
            return problem
        try:
            with open(full, "rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                if size > max_bytes(path):
                    return too_large(path, size)
                return stream.read()
        except IsADirectoryError:
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=Msg(N_("it is a folder")))
        except OSError as error:
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=oserrors.reason(error))


def is_workspace(folder: Path) -> bool:
    """A workspace is a folder that holds records/call.yaml (the call marks it)."""
    return (folder / CALL_PATH).is_file()


def find_workspace(start: Path) -> Path | None:
    """The nearest workspace from ``start`` upwards."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if is_workspace(folder)), None)


# Folders never searched for a workspace below: those of tools (virtual environments,
# node_modules with its thousands of folders, caches), and every name starting with a dot (.git, .venv).
_NOT_SEARCHED = frozenset({"node_modules", "venv", "__pycache__"})


def in_git_repository(start: Path) -> bool:
    """Whether ``start`` is inside a git working tree (a .git folder or file here or above)."""
    start = start.resolve()
    return any((folder / ".git").exists() for folder in (start, *start.parents))


def find_workspaces_below(start: Path) -> list[Path]:
    """The workspaces in the folders below ``start``, sorted; a workspace's own folders are not
    searched further, nor hidden folders (.git, .venv), node_modules and venv."""
    found = []
    for folder, dirs, _files in os.walk(start):
        here = Path(folder)
        if here != start and is_workspace(here):
            found.append(here.resolve())
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _NOT_SEARCHED)
    return sorted(found)


def kind_of(path: str) -> str | None:
    """The record kind a workspace path holds, or None if it is no record."""
    parts = path.split("/")
    if path == CALL_PATH:
        return CALL.name
    if len(parts) == 3 and parts[0] == RECORDS:
        return _KIND_OF_FOLDER.get(parts[1])
    return None


def _file_name_problem(kind: str, path: str) -> Diagnostic | None:
    name = path.rsplit("/", 1)[1]
    stem, _, suffix = name.rpartition(".")
    suffixes = BY_NAME[kind].suffixes
    if is_id(stem) and f".{suffix}" in suffixes:
        return None
    meant = stem_id(path)
    hint = Suggestion(meant + (f".{suffix}" if f".{suffix}" in suffixes else suffixes[0]) if is_id(meant) else "")
    return diagnostic(path, (1, 1), codes.BAD_FILE_NAME, name=name, suffixes=" / ".join(suffixes), hint=hint)


def stem_id(path: str) -> str:
    """The id a record file stands for, also when misnamed: ``Kajaani.yaml`` and ``narpes.yml``
    mean kajaani and narpes."""
    name = path.rsplit("/", 1)[-1]
    return fold_id(name.rsplit(".", 1)[0] if "." in name else name)


def content_key(path: str, data: bytes) -> str:
    """The cache key of one file: its path (ids and positions come from it) and content."""
    return hashlib.blake2b(path.encode() + b"\0" + data, digest_size=20).hexdigest()


@dataclass(frozen=True)
class RecordFiles:
    """What a source holds: each record file's kind, path and bytes, and what could not be read."""

    files: tuple[tuple[str, str, bytes], ...]  # (kind, path, data)
    keys: tuple[str, ...]  # each file's content_key
    paths: tuple[str, ...]  # every record path, also those that could not be read
    problems: tuple[Diagnostic, ...]

    def key(self) -> str:
        """One key for the whole content: equal keys, equal records."""
        digest = hashlib.blake2b("\0".join(self.keys).encode(), digest_size=20)
        for problem in self.problems:
            digest.update(repr(problem).encode())
        return digest.hexdigest()


def read_records(source: Source) -> RecordFiles:
    """List and read a source's record files; names, links and sizes are judged here."""
    problems: list[Diagnostic] = []
    files: list[tuple[str, str, bytes]] = []
    paths: list[str] = []
    for path in source.paths():
        kind = kind_of(path)
        if kind is None:
            link = getattr(source, "link_problem", lambda _: None)(path)
            folders = ", ".join(f"{RECORDS}/{kind.folder}/" for kind in IN_FOLDERS)
            problems.append(link or diagnostic(path, (1, 1), codes.UNEXPECTED_FILE, folders=folders))
            continue
        paths.append(path)
        data = source.read(path)
        name_problem = _file_name_problem(kind, path) if kind != CALL.name else None
        if isinstance(data, Diagnostic) or name_problem:
            problems.append(data if isinstance(data, Diagnostic) else name_problem)
            continue
        files.append((kind, path, data))
    keys = tuple(content_key(path, data) for _, path, data in files)
    return RecordFiles(tuple(files), keys, tuple(paths), tuple(problems))
