"""A cache of parsed records, keyed by each file's path and content hash.

An unchanged file is not parsed again: its record and its own diagnostics come from
here. Cross-record rules always run. The cache lives in the user's cache folder (or
KOPA_CACHE_DIR), one file per workspace, written atomically; a cache that cannot be
read is ignored and rebuilt, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from . import __version__


def cache_dir() -> Path:
    configured = os.environ.get("KOPA_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kopa", appauthor=False))


class ParseCache:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.entries: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        self.changed = False
        try:
            with file.open("rb") as stream:
                stored = pickle.load(stream)
            if stored.get("version") == __version__:
                self.entries = stored["entries"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError, ValueError):
            self.entries = {}

    @classmethod
    def for_workspace(cls, root: Path) -> ParseCache:
        name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=10).hexdigest()
        return cls(cache_dir() / f"parsed-{name}.pickle")

    def get(self, key: str) -> Any:
        value = self.entries.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.used[key] = value
        self.changed = True

    def save(self) -> None:
        """Keep only this run's entries, so the cache never outgrows the workspace."""
        if not self.changed and len(self.used) == len(self.entries):
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".parsed-")
            with os.fdopen(fd, "wb") as stream:
                pickle.dump({"version": __version__, "entries": self.used}, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
        except (OSError, pickle.PicklingError, TypeError):
            pass  # a cache is an optimisation; failing to write it changes no result
