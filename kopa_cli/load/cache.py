"""What kopa remembers between runs: parsed records and the last report, by content hash.

An unchanged file is not parsed again: its record and its own diagnostics come from
here, and cross-record rules run as usual. An unchanged workspace (every file's content
the same) reuses the whole report. The policy lives here too: when the cache is used
(``--no-cache`` and ``KOPA_NO_CACHE=1`` turn it off) and when a file's size and times
can stand for its content.

It lives in the user's cache folder (or ``KOPA_CACHE_DIR``), two files per workspace,
replaced atomically without fsync (core/files.py). The cache folder may be written by others (a CI
cache restored from a pull request), so the files hold plain JSON data (plaindata.py),
never pickles: a forged file can at worst give wrong results, never run code. Results
are keyed by a fingerprint of kopa's own code, the Python version and the versions of
the libraries that shape them, so an upgrade never reuses stale results. A file that
cannot be read, or holds anything but what kopa writes, is ignored and rebuilt, never
an error.

File format: a first line, the JSON header ``{"kopa-cache": FORMAT, "fingerprint": ...}``;
then in the records file one line per parsed file, its content key, a space and the
encoded (record, diagnostics); in the report file one line, the encoded
(content key, report, signature). JSON text holds no raw newline, so lines split cleanly
and an entry is decoded only when it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kopa_cli.core import files
from kopa_cli.core.diagnostics import Diagnostic, Report
from kopa_cli.core.errors import CannotCreate, FileLocked
from kopa_cli.load.gitsource import committed_ledgers, ledger_key, ledger_texts
from kopa_cli.load.recordfiles import DirectorySource, read_records

if TYPE_CHECKING:
    from kopa_cli.load.workspace import Workspace

FORMAT = 1
_PACKAGE = Path(__file__).resolve().parents[1]
# The libraries whose versions change what a parse or a rule gives (by distribution name):
# YAML reading, Markdown (the length rule), check digits, number and date formats.
RESULT_LIBRARIES = ("ruamel.yaml", "ruamel.yaml.clib", "markdown-it-py", "mdurl", "python-stdnum", "babel")
# A file whose modification time is this recent may change again within the same clock
# tick, unseen by its size and times: such a workspace is recognised by content only.
RACY_NS = 2_000_000_000


def cache_dir() -> Path:
    configured = os.environ.get("KOPA_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kopa", appauthor=False))


def _normal_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def library_versions(names: tuple[str, ...] = RESULT_LIBRARIES) -> dict[str, str]:
    """The installed version of each named distribution ("" if not installed), as the
    first ``*.dist-info`` folder on ``sys.path`` says: quicker than importlib.metadata,
    whose import alone would double the time of an unchanged workspace's run."""
    wanted = {_normal_name(name): name for name in names}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            if entry.endswith((".dist-info", ".egg-info")):
                name, _, version = entry.rsplit(".", 1)[0].partition("-")
                original = wanted.get(_normal_name(name))
                if original is not None and original not in found:
                    found[original] = version
    return {name: found.get(name, "") for name in names}


@cache
def fingerprint() -> str:
    """A hash of kopa's own source, the Python version and the versions of the libraries
    that shape results: results of other code are never reused."""
    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    digest.update(json.dumps(library_versions(), sort_keys=True).encode())
    for module in sorted(_PACKAGE.rglob("*.py")):
        digest.update(module.relative_to(_PACKAGE).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def _header() -> bytes:
    return json.dumps({"kopa-cache": FORMAT, "fingerprint": fingerprint()}).encode() + b"\n"


def _read_lines(file: Path) -> list[bytes]:
    """The lines after the header of a cache file written by this very code, else none."""
    try:
        data = file.read_bytes()
    except OSError:
        return []
    header, _, rest = data.partition(b"\n")
    return rest.split(b"\n") if header + b"\n" == _header() and rest else []


def _write(file: Path, lines: list[bytes]) -> None:
    """Replace a cache file, unless another kopa is writing it just now (its result will do)."""
    try:
        with files.lock(file, timeout=0):
            # not durable: a file lost in a power cut is rebuilt; a damaged one is ignored
            files.replace(file, _header() + b"\n".join(lines), durable=False)
    except (CannotCreate, FileLocked):
        pass  # a cache is an optimisation; failing to write it changes no result


# ASCII output: a third quicker to make than UTF-8 (no encoding step), for a few per cent more bytes
_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def _dumps(value: Any) -> bytes:
    from kopa_cli.load.plaindata import encode

    return _JSON.encode(encode(value)).encode("ascii")


def _loads(data: bytes) -> Any:
    from kopa_cli.load.plaindata import decode

    return decode(json.loads(data))


def encode_result(result: tuple[Any, list[Diagnostic]]) -> bytes | None:
    """One file's parse result as a cache entry; None if it holds a value the cache does not keep."""
    try:
        return _dumps(result)
    except (TypeError, ValueError, RecursionError):
        return None


def _decoded_result(entry: bytes) -> tuple[Any, list[Diagnostic]] | None:
    """A parse result read back, or None if the entry is damaged or of the wrong shape."""
    try:
        record, problems = _loads(entry)
    except Exception:  # noqa: BLE001 - whatever is wrong with a cache entry, it is a miss
        return None
    from kopa_cli.load.plaindata import is_record

    if (record is None or is_record(record)) and type(problems) is list and all(type(p) is Diagnostic for p in problems):
        return record, problems
    return None


def _workspace_stem(root: Path) -> Path:
    """The start of the names of a workspace's cache files."""
    name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"workspace-{name}"


class CanonicalCache:
    """The record files `kopa fmt` found in the canonical layout, by content key, so that an
    unchanged file is not formatted again: ruamel.yaml's round trip takes ten times as long as
    parsing (benchmarks/README.md). Keyed like every cache file by kopa's own source, so a
    changed layout rule formats everything again. Only this run's files are kept."""

    def __init__(self, root: Path) -> None:
        stem = _workspace_stem(root)
        self.file = stem.with_name(stem.name + ".canonical.txt")
        self.known = set(_read_lines(self.file)) - {b""}
        self.now: set[bytes] = set()

    def __contains__(self, key: str) -> bool:
        return key.encode() in self.known

    def add(self, key: str) -> None:
        self.now.add(key.encode())

    def save(self) -> None:
        if self.now != self.known:
            _write(self.file, sorted(self.now))


class ParseCache:
    """Two files per workspace: the last report (small, read first) and the parsed records
    (large, read only when the report cannot be reused)."""

    def __init__(self, stem: Path) -> None:
        self.report_file = stem.with_name(stem.name + ".report.json")
        self.records_file = stem.with_name(stem.name + ".records.json")
        self._stored: dict[bytes, bytes] | None = None  # content key -> entry, loaded on first use
        self.used: dict[bytes, bytes] = {}
        self.records_changed = False
        self.new_report: tuple[str, Report, str | None] | None = None
        self._report: tuple[str | None, Report | None, str | None] | None = None  # read on first use

    @classmethod
    def for_workspace(cls, root: Path) -> ParseCache:
        return cls(_workspace_stem(root))

    @property
    def stored(self) -> dict[bytes, bytes]:
        if self._stored is None:
            self._stored = {}
            for line in _read_lines(self.records_file):
                key, _, entry = line.partition(b" ")
                if entry:
                    self._stored[key] = entry
        return self._stored

    def get(self, key: str) -> tuple[Any, list[Diagnostic]] | None:
        """The parse result of the file with content key ``key``, or None."""
        entry = self.stored.get(key.encode())
        result = None if entry is None else _decoded_result(entry)
        if result is not None:
            self.used[key.encode()] = entry  # type: ignore[assignment]
        return result

    def put(self, key: str, result: tuple[Any, list[Diagnostic]], entry: bytes | None = None) -> None:
        """Keep the parse result of the file with content key ``key``; ``entry`` is its
        ``encode_result`` when a worker process made it already."""
        entry = entry or encode_result(result)
        if entry is not None:
            self.used[key.encode()] = entry
            self.records_changed = True

    def _stored_report(self) -> tuple[str | None, Report | None, str | None]:
        if self._report is None:
            self._report = (None, None, None)
            lines = _read_lines(self.report_file)
            try:
                key, report, signature = _loads(lines[0]) if len(lines) == 1 else (None, None, None)
            except Exception:  # noqa: BLE001 - whatever is wrong with a cache file, it is a miss
                key = report = signature = None
            if type(key) is str and type(report) is Report and (signature is None or type(signature) is str):
                self._report = (key, report, signature)
        return self._report

    def get_report(self, key: str) -> Report | None:
        """The last report, if the workspace's content is the same (``RecordFiles.key``)."""
        stored_key, report, _ = self._stored_report()
        return report if stored_key == key else None

    def report_for_signature(self, signature: str) -> Report | None:
        """The last report, if no file's size or times changed (``DirectorySource.signature``)."""
        _, report, stored_signature = self._stored_report()
        return report if stored_signature == signature else None

    def put_report(self, key: str, report: Report, signature: str | None = None) -> None:
        if (key, report, signature) != self._stored_report():
            self.new_report = (key, report, signature)

    def save(self) -> None:
        """Keep this run's entries only, so the cache never outgrows the workspace."""
        if self.records_changed or (self._stored is not None and len(self.used) != len(self._stored)):
            _write(self.records_file, [key + b" " + entry for key, entry in self.used.items()])
        if self.new_report is not None:
            try:
                _write(self.report_file, [_dumps(self.new_report)])
            except (TypeError, ValueError, RecursionError):
                pass  # a report holding a value the cache does not keep: not cached


# The policy: when the cache is used, and what it stands in for.


def open_cache(root: Path, use_cache: bool) -> ParseCache | None:
    """The workspace's cache, or None when ``--no-cache`` or ``KOPA_NO_CACHE`` turns it off."""
    if not use_cache or os.environ.get("KOPA_NO_CACHE"):
        return None
    return ParseCache.for_workspace(root)


def load(root: Path, use_cache: bool) -> Workspace:
    """The workspace at ``root``, its unchanged files' records from the cache."""
    from kopa_cli.load.workspace import build_workspace

    cache = open_cache(root, use_cache)
    head = ledger_texts(committed_ledgers(root), root)
    workspace = build_workspace(root, read_records(DirectorySource(root)), cache, head)
    if cache is not None:
        cache.save()
    return workspace


def report(root: Path, use_cache: bool, check: Callable[[Workspace], Report]) -> Report:
    """``check`` of the workspace at ``root``; an unchanged workspace's report is reused.

    Unchanged means: no file's size, times or inode changed, when the newest file is older
    than ``RACY_NS`` (as git trusts its index); otherwise the same content, read and hashed.
    Either way the invoice ledgers at git HEAD must be the same too (their blob ids), since
    the append-only rule compares with them."""
    from kopa_cli.load.workspace import build_workspace

    head = committed_ledgers(root)
    cache = open_cache(root, use_cache)
    if cache is None:
        return check(build_workspace(root, read_records(DirectorySource(root)), None, ledger_texts(head, root)))
    signature, newest = DirectorySource(root).signature()
    signature += ledger_key(head)
    found = cache.report_for_signature(signature)
    if found is None:
        records = read_records(DirectorySource(root))
        key = records.key() + ledger_key(head)
        found = cache.get_report(key) or check(build_workspace(root, records, cache, ledger_texts(head, root)))
        trusted = newest < time.time_ns() - RACY_NS
        cache.put_report(key, found, signature if trusted else None)
        cache.save()
    return found


def load_with_report(root: Path, use_cache: bool, check: Callable[[Workspace], Report]) -> tuple[Workspace, Report]:
    """The workspace at ``root`` (as ``load``) and ``check``'s report of it, the report reused
    when the content and the ledgers at git HEAD are the same as at the last check (as
    ``report``; ``kopa report`` and ``kopa status`` need both)."""
    from kopa_cli.load.workspace import build_workspace

    head = committed_ledgers(root)
    cache = open_cache(root, use_cache)
    records = read_records(DirectorySource(root))
    workspace = build_workspace(root, records, cache, ledger_texts(head, root))
    if cache is None:
        return workspace, check(workspace)
    key = records.key() + ledger_key(head)
    found = cache.get_report(key)
    if found is None:
        found = check(workspace)
        cache.put_report(key, found)
    cache.save()
    return workspace, found
