"""Loading a workspace: parsing each record file and indexing the records by kind and id.

Loading never stops at a bad file: every problem becomes a diagnostic and the record is
left out (or kept with the values that were readable), so one run shows everything.
The files themselves come from recordfiles.py.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, get_args

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, diagnostic
from kopa_cli.load.cache import encode_result
from kopa_cli.load.markdowndoc import parse_markdown_application
from kopa_cli.load.kinds import BY_NAME, CALL, CALL_PATH, KINDS
from kopa_cli.load.recordfiles import RecordFiles, Source, kind_of, read_records, stem_id
from kopa_cli.load.records import Application, Call, Ledger, Organization, Pilot, Statistics, TextField
from kopa_cli.load.structure import structure
from kopa_cli.core.textlength import count_chars
from kopa_cli.load.yamlparse import parse_yaml


@dataclass(frozen=True)
class Workspace:
    root: Path | None
    call: Call | None = None
    organizations: dict[str, Organization] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    pilots: dict[str, Pilot] = field(default_factory=dict)
    ledgers: dict[str, Ledger] = field(default_factory=dict)  # by the file's stem, the year: "2020"
    statistics: dict[str, Statistics] = field(default_factory=dict)  # area statistics, by file id
    files: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    # kind -> id -> path of each record file that could not be read or is misnamed
    # (Kajaani.yaml is kajaani's): references to it say so instead of "no such record"
    unreadable: dict[str, dict[str, str]] = field(default_factory=dict)
    # the bytes at the last commit (HEAD) of each invoice ledger that differs from the current
    # file, by path, for the append-only rule; None when there is nothing to compare with
    committed_ledgers: dict[str, bytes] | None = None

    def pilot_name(self, pilot: Pilot) -> str | None:
        """The pilot's name: its own ``name``, else its application's (record-format.md)."""
        application = self.applications.get(pilot.application or "")
        return pilot.name or (application.name if application is not None else None)


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
    internal: dict[str, Any] = {} if kind == CALL.name else {"id": path.rsplit("/", 1)[1].rsplit(".", 1)[0]}
    if kind == "applications" and isinstance(parsed, dict):
        # Counting needs a Markdown parse: do it once here, where the result is cached.
        internal["char_counts"] = {
            name: count_chars(parsed[name]) for name in get_args(TextField) if isinstance(parsed.get(name), str)
        }
    record, shape_problems = structure(BY_NAME[kind].record, parsed, origin, **internal)
    return record, problems + shape_problems


PARALLEL_FROM = 200  # files; below this, starting worker processes costs more than it saves
_work: tuple[Callable[..., Any] | None, list[tuple[Any, ...]]] = (None, [])


def _run_pending(index: int) -> Any:
    function, items = _work
    return function(*items[index])  # type: ignore[misc]


def in_workers(function: Callable[..., Any], items: list[tuple[Any, ...]]) -> list[Any]:
    """``[function(*item) for item in items]``: from ``PARALLEL_FROM`` items on, on every core
    (at most 8) in forked worker processes, which inherit ``function`` and ``items``, so that
    only indexes and results travel (results must pickle). The same results as in turn."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(*item) for item in items]
    global _work
    _work = (function, items)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunk = max(16, len(items) // (workers * 8))
            return list(pool.map(_run_pending, range(len(items)), chunksize=chunk))
    finally:
        _work = (None, [])


def _parse_for_cache(kind: str, path: str, data: bytes, for_cache: bool) -> tuple[tuple[Any, list[Diagnostic]], bytes | None]:
    # The cache entry is made here, in the worker, where it costs the parent nothing.
    result = parse_record(kind, path, data)
    return result, encode_result(result) if for_cache else None


def parse_all(
    files: list[tuple[str, str, bytes]], for_cache: bool = False
) -> list[tuple[tuple[Any, list[Diagnostic]], bytes | None]]:
    """Parse (kind, path, bytes) files: for each, (``parse_record``'s result, its cache entry
    or None). From ``PARALLEL_FROM`` files on, in worker processes (``in_workers``), which also
    make the cache entries when ``for_cache``; the results are the same as parsing the files
    in turn. Measured gain: benchmarks/README.md."""
    if len(files) < PARALLEL_FROM:
        return [(parse_record(*file), None) for file in files]
    return in_workers(_parse_for_cache, [(*file, for_cache) for file in files])


@functools.cache
def _freeze_once() -> None:
    """Move what exists now out of later collections, once per process: the first workspace
    lives until the command ends. A second one (--compare, or the next in-process test run)
    is collected as usual, so frozen objects never pile up."""
    gc.freeze()


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Records are many small objects that live until the command ends: collecting cycles
    while building them costs a fifth of the time and frees nothing. The first workspace is
    then frozen, so that later collections do not walk it again either (benchmarks/README.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _freeze_once()
        if enabled:
            gc.enable()


def parse_alone(kind: str, path: str, data: bytes) -> tuple[Any, list[Diagnostic]]:
    """``parse_record`` outside loading, with garbage collection off as loading has it: a
    ledger of 10 000 entries parses in a third of the time (its HEAD version, a written one)."""
    with _no_garbage_collection():
        return parse_record(kind, path, data)


def build_workspace(root: Path | None, records: RecordFiles, cache: Any = None,
                    committed_ledgers: dict[str, bytes] | None = None) -> Workspace:
    """Parse (or take from ``cache``) every record and index them by kind and id.
    ``committed_ledgers``: the ledgers' bytes at HEAD (gitsource.ledger_texts)."""
    with _no_garbage_collection():
        return _build_workspace(root, records, cache, committed_ledgers)


def _build_workspace(root: Path | None, records: RecordFiles, cache: Any,
                     committed_ledgers: dict[str, bytes] | None) -> Workspace:
    problems = list(records.problems)
    keys = records.keys
    results: list[Any] = [cache.get(key) if cache is not None else None for key in keys]
    missing = [i for i, result in enumerate(results) if result is None]
    for i, (result, entry) in zip(missing, parse_all([records.files[i] for i in missing], cache is not None)):
        results[i] = result
        if cache is not None:
            cache.put(keys[i], result, entry)
    loaded: dict[str, dict[str, Any]] = {kind.name: {} for kind in KINDS}
    for (kind, path, _), (record, file_problems) in zip(records.files, results):
        problems.extend(file_problems)
        if record is None:
            continue
        record_id = getattr(record, "id", None) if kind != "call" else "call"
        other = loaded[kind].get(record_id)
        if other is not None:
            problems.append(diagnostic(path, (1, 1), codes.DUPLICATE_ID, value=record_id, other=other.origin.path))
            continue
        loaded[kind][record_id] = record
    unreadable: dict[str, dict[str, str]] = {kind.name: {} for kind in KINDS}
    parsed = {path for (_, path, _), (record, _) in zip(records.files, results) if record is not None}
    for path in records.paths:
        kind = kind_of(path) if path not in parsed else None
        if kind not in (None, CALL.name) and stem_id(path) not in loaded[kind]:
            unreadable[kind].setdefault(stem_id(path), path)
    call = loaded["call"].get("call")
    if call is None and not any(p.path == CALL_PATH for p in problems):
        problems.append(diagnostic(CALL_PATH, (1, 1), codes.MISSING_CALL))
    return Workspace(
        root=root,
        call=call,
        organizations=loaded["organizations"],
        applications=loaded["applications"],
        pilots=loaded["pilots"],
        ledgers=loaded["invoices"],
        statistics=loaded["statistics"],
        files=records.paths,
        diagnostics=tuple(problems),
        unreadable=unreadable,
        committed_ledgers=committed_ledgers,
    )


def load_workspace(root: Path | None, source: Source, cache: Any = None) -> Workspace:
    """Read every record of a workspace. ``cache`` maps content keys to parse results."""
    return build_workspace(root, read_records(source), cache)
