"""What kopa remembers between runs: parsed records and the last report, by content hash.

An unchanged file is not parsed again: its record and its own diagnostics come from
here, and cross-record rules run as usual. An unchanged workspace (every file's content
the same) reuses the whole report. Entries are kept pickled one by one, so a run
unpickles only what it uses. The cache is keyed by kopa's own code too, so an upgrade
never reuses results of older rules.

It lives in the user's cache folder (or KOPA_CACHE_DIR), one file per workspace, written
atomically; a cache that cannot be read is ignored and rebuilt, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from kopa_cli.core.diagnostics import Report

_PACKAGE = Path(__file__).resolve().parents[1]


def cache_dir() -> Path:
    configured = os.environ.get("KOPA_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kopa", appauthor=False))


@cache
def code_fingerprint() -> str:
    """A hash of kopa's own source: results of other code are never reused."""
    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    for module in sorted(_PACKAGE.rglob("*.py")):
        digest.update(module.relative_to(_PACKAGE).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def _load(file: Path) -> Any:
    """A pickle written by this very code, or None (missing, damaged or from other code)."""
    try:
        with file.open("rb") as stream:
            stored = pickle.load(stream)
        return stored["content"] if stored["code"] == code_fingerprint() else None
    except Exception:  # noqa: BLE001 - whatever is wrong with a cache file, it is a miss
        return None


def _save(file: Path, content: Any) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}-")
        with os.fdopen(fd, "wb") as stream:
            pickle.dump({"code": code_fingerprint(), "content": content}, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, file)
    except (OSError, pickle.PicklingError, TypeError):
        pass  # a cache is an optimisation; failing to write it changes no result


class ParseCache:
    """Two files per workspace: the last report (small, read first) and the parsed records
    (large, read only when the report cannot be reused)."""

    def __init__(self, stem: Path) -> None:
        self.report_file = stem.with_name(stem.name + ".report.pickle")
        self.records_file = stem.with_name(stem.name + ".records.pickle")
        self._stored: dict[str, bytes] | None = None  # loaded on first use
        self.used: dict[str, bytes] = {}
        self.records_changed = False
        self.new_report: tuple[str, Report, str | None] | None = None
        self._report: Any = None  # (content key, report, files' signature), read on first use

    @classmethod
    def for_workspace(cls, root: Path) -> ParseCache:
        name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=10).hexdigest()
        return cls(cache_dir() / f"workspace-{name}")

    @property
    def stored(self) -> dict[str, bytes]:
        if self._stored is None:
            loaded = _load(self.records_file)
            self._stored = loaded if isinstance(loaded, dict) else {}
        return self._stored

    def get(self, key: str) -> Any:
        entry = self.stored.get(key)
        if entry is None:
            return None
        try:
            value = pickle.loads(entry)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, whatever the damage
            return None
        self.used[key] = entry
        return value

    def put(self, key: str, value: Any, pickled: bytes | None = None) -> None:
        self.used[key] = pickled or pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.records_changed = True

    def _stored_report(self) -> tuple[str | None, Report | None, str | None]:
        if self._report is None:
            stored = _load(self.report_file)
            valid = isinstance(stored, tuple) and len(stored) == 3 and isinstance(stored[1], Report)
            self._report = stored if valid else (None, None, None)
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
            _save(self.records_file, self.used)
        if self.new_report is not None:
            _save(self.report_file, self.new_report)
