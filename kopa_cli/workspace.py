"""Finding a workspace and loading its records: the only code that reads record files.

Loading never stops at a bad file: every problem becomes a diagnostic and the record is
left out (or kept with the values that were readable), so one run shows everything.
Files come from a ``Source``: the working tree, or a git revision (gitsource.py).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Protocol

from . import codes
from .diagnostics import Diagnostic, Msg, diagnostic
from .i18n import N_
from .markdowndoc import parse_markdown_application
from .records import RECORD_KINDS, Application, Call, Organization, Pilot
from .structure import structure
from .yamlparse import parse_yaml

RECORDS = "records"
MAX_FILE_BYTES = 1024 * 1024  # a record is a few kilobytes; more is a mistake or an attack
_STEM = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# folder -> accepted suffixes; call.yaml stands alone, invoices/ is written by `kopa invoice`
FOLDERS = {"organizations": (".yaml",), "applications": (".md", ".yaml"), "pilots": (".yaml",)}
IGNORED_FOLDERS = ("invoices",)


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
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=error.strerror or str(error))
        return None

    def read(self, path: str) -> bytes | Diagnostic:
        full = self.root / path
        try:
            if full.is_symlink():
                target = full.resolve()
                if not target.is_relative_to(self.root.resolve()):
                    return diagnostic(path, (1, 1), codes.SYMLINK_OUTSIDE, target=str(target))
            if full.is_dir():
                return diagnostic(path, (1, 1), codes.UNREADABLE, reason=Msg(N_("it is a folder")))
            size = full.stat().st_size
            if size > MAX_FILE_BYTES:
                return diagnostic(path, (1, 1), codes.TOO_LARGE, size=size, limit=MAX_FILE_BYTES)
            return full.read_bytes()
        except RuntimeError:  # Path.resolve() on a symlink loop, before Python 3.13
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=Msg(N_("it is a link that points to itself")))
        except OSError as error:
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=error.strerror or str(error))


@dataclass(frozen=True)
class Workspace:
    root: Path | None
    call: Call | None = None
    organizations: dict[str, Organization] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    pilots: dict[str, Pilot] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


def find_workspace(start: Path) -> Path | None:
    """The nearest folder from ``start`` upwards that holds records/call.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / RECORDS / "call.yaml").is_file():
            return folder
    return None


def _decode(data: bytes, path: str) -> str | Diagnostic:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        data = error.object  # without the byte order mark: positions count from here
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8")) + 1  # in characters, as editors show
        return diagnostic(path, (line, column), codes.NOT_UTF8, byte=f"0x{data[error.start]:02x}")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def kind_of(path: str) -> str | None:
    """The record kind a workspace path holds, or None if it is no record."""
    parts = path.split("/")
    if parts == [RECORDS, "call.yaml"]:
        return "call"
    if len(parts) == 3 and parts[0] == RECORDS and parts[1] in FOLDERS:
        return parts[1]
    return None


def parse_record(kind: str, path: str, data: bytes) -> tuple[Any, list[Diagnostic]]:
    """One file's bytes to (record or None, diagnostics): pure, so its result can be cached."""
    text = _decode(data, path)
    if isinstance(text, Diagnostic):
        return None, [text]
    if not text.strip():
        return None, [diagnostic(path, (1, 1), codes.EMPTY_FILE)]
    if path.endswith(".md"):
        parsed, origin, problems = parse_markdown_application(text, path)
    else:
        parsed, origin, problems = parse_yaml(text, path)
    if parsed is None and problems:
        return None, problems
    internal: dict[str, Any] = {} if kind == "call" else {"id": path.rsplit("/", 1)[1].rsplit(".", 1)[0]}
    record, shape_problems = structure(RECORD_KINDS[kind], parsed, origin, **internal)
    return record, problems + shape_problems


def _file_name_problem(path: str) -> Diagnostic | None:
    folder, name = path.split("/")[1:]
    stem, _, suffix = name.rpartition(".")
    if _STEM.match(stem) and f".{suffix}" in FOLDERS[folder]:
        return None
    return diagnostic(path, (1, 1), codes.BAD_FILE_NAME, name=name, suffixes=" / ".join(FOLDERS[folder]))


def content_key(path: str, data: bytes) -> str:
    """The cache key of one file: its path (ids and positions come from it) and content."""
    return hashlib.blake2b(path.encode() + b"\0" + data, digest_size=20).hexdigest()


def load_workspace(root: Path | None, source: Source, cache: Any = None) -> Workspace:
    """Read every record of a workspace. ``cache`` maps content keys to parse results."""
    problems: list[Diagnostic] = []
    loaded: dict[str, dict[str, Any]] = {kind: {} for kind in RECORD_KINDS}
    files: list[str] = []
    link_problem = getattr(source, "link_problem", None)
    for path in source.paths():
        if link_problem is not None and (problem := link_problem(path)):
            problems.append(problem)
            if kind_of(path) is not None:
                files.append(path)
            continue
        kind = kind_of(path)
        if kind is None:
            parts = path.split("/")
            if len(parts) < 3 or parts[1] not in IGNORED_FOLDERS:
                folders = ", ".join(f"records/{f}/" for f in FOLDERS)
                problems.append(diagnostic(path, (1, 1), codes.UNEXPECTED_FILE, folders=folders))
            continue
        files.append(path)
        if kind != "call" and (name_problem := _file_name_problem(path)):
            problems.append(name_problem)
            continue
        data = source.read(path)
        if isinstance(data, Diagnostic):
            problems.append(data)
            continue
        key = content_key(path, data)
        result = cache.get(key) if cache is not None else None
        if result is None:
            result = parse_record(kind, path, data)
            if cache is not None:
                cache.put(key, result)
        record, file_problems = result
        problems.extend(file_problems)
        if record is None:
            continue
        record_id = getattr(record, "id", None) if kind != "call" else "call"
        other = loaded[kind].get(record_id)
        if other is not None:
            problems.append(diagnostic(path, (1, 1), codes.DUPLICATE_ID, value=record_id, other=other.origin.path))
            continue
        loaded[kind][record_id] = record
    call = loaded["call"].get("call")
    if call is None and not any(p.path == f"{RECORDS}/call.yaml" for p in problems):
        problems.append(diagnostic(f"{RECORDS}/call.yaml", (1, 1), codes.MISSING_CALL))
    return Workspace(
        root=root,
        call=call,
        organizations=loaded["organizations"],
        applications=loaded["applications"],
        pilots=loaded["pilots"],
        files=tuple(files),
        diagnostics=tuple(problems),
    )

