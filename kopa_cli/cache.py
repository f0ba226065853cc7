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

from .diagnostics import Report

_PACKAGE = Path(__file__).resolve().parent


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


class ParseCache:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.stored: dict[str, bytes] = {}
        self.used: dict[str, bytes] = {}
        self.report_key: str | None = None
        self.report: bytes | None = None
        self.changed = False
        try:
            with file.open("rb") as stream:
                stored = pickle.load(stream)
            if stored["code"] == code_fingerprint():
                self.stored = stored["files"]
                self.report_key, self.report = stored["report"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, KeyError, TypeError, ValueError):
            self.stored = {}

    @classmethod
    def for_workspace(cls, root: Path) -> ParseCache:
        name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=10).hexdigest()
        return cls(cache_dir() / f"workspace-{name}.pickle")

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
        self.changed = True

    def get_report(self, key: str) -> Report | None:
        if key != self.report_key or self.report is None:
            return None
        try:
            return pickle.loads(self.report)
        except Exception:  # noqa: BLE001
            return None

    def put_report(self, key: str, report: Report) -> None:
        self.report_key, self.report = key, pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
        self.changed = True

    def save(self) -> None:
        """Keep this run's entries only, so the cache never outgrows the workspace."""
        if not self.changed:
            return
        files = self.used
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".workspace-")
            with os.fdopen(fd, "wb") as stream:
                state = {"code": code_fingerprint(), "files": files, "report": (self.report_key, self.report)}
                pickle.dump(state, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
        except (OSError, pickle.PicklingError, TypeError):
            pass  # a cache is an optimisation; failing to write it changes no result
