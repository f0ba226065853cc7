"""Where a value was written: the file, and the 1-based line and column of every key and value.

Lines are the lines git, GitHub and editors show: only a line feed ends a line (a CR LF
pair was made one line feed when the file was read); a column counts characters on that line.
"""

from __future__ import annotations

import marshal
from typing import Any

Pos = tuple[int, int]  # 1-based line and column
Path = tuple[str | int, ...]  # keys and list indexes from the document root


class Written(str):
    """A value's source text, exactly as the user wrote it (``2019-12-13 23:30:00+02:00``):
    what a message quotes, in every language, rather than the value formatted anew."""

    __slots__ = ()


class Origin:
    """The file a record came from, the position of each value and key in it, and the source
    text of each value that is not text (a number, date, true/false), as the user wrote it.

    Positions are needed only for the few values that have a problem, but a record is
    pickled into the cache and between processes with all of them: so they travel packed
    (marshal, many times quicker than pickle for plain tuples) and are unpacked on first use.
    ``refused``: the paths whose value (or key) was written but reported as wrong, and so left
    out of the record (text with a stray control character is kept), so that a rule never calls
    "missing" what was written but refused (``load/structure.py``).
    Two origins are equal when they name the same file.
    """

    __slots__ = ("path", "_values", "_keys", "_written", "_refused", "_packed")

    def __init__(
        self, path: str, values: dict[Path, Pos] | None = None, keys: dict[Path, Pos] | None = None,
        written: dict[Path, str] | None = None,
    ) -> None:
        self.path = path
        self._values = {} if values is None else values
        self._keys = {} if keys is None else keys
        self._written = {} if written is None else written
        self._refused: set[Path] = set()
        self._packed: bytes | None = None

    @property
    def values(self) -> dict[Path, Pos]:
        if self._packed is not None:
            self._unpack()
        return self._values

    @property
    def keys(self) -> dict[Path, Pos]:
        if self._packed is not None:
            self._unpack()
        return self._keys

    @property
    def written(self) -> dict[Path, str]:
        """The source text of each value that is not text, e.g. "2019-12-13 23:30:00+02:00"."""
        if self._packed is not None:
            self._unpack()
        return self._written

    @property
    def refused(self) -> set[Path]:
        """The paths whose value or key was written but reported as wrong (few, and kept
        unpacked: rules read them on every record)."""
        return self._refused

    def _unpack(self) -> None:
        self._values, self._keys, self._written = marshal.loads(self._packed)  # type: ignore[arg-type]
        self._packed = None

    def __reduce__(self) -> tuple[Any, tuple[str, bytes, set[Path]]]:
        packed = self._packed or marshal.dumps((self._values, self._keys, self._written))
        return _packed_origin, (self.path, packed, self._refused)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __repr__(self) -> str:
        return f"Origin({self.path!r})"

    def at(self, *path: str | int) -> Pos:
        """Where the value at ``path`` is, or its nearest enclosing value."""
        values = self.values
        while path not in values and path:
            path = path[:-1]
        return values.get(path, (1, 1))

    def key_at(self, *path: str | int) -> Pos:
        """Where the key of ``path`` is written (for unknown keys), else its value."""
        return self.keys.get(path) or self.at(*path)

    def as_written(self, path: Path, value: object) -> object:
        """``value`` as the user wrote it at ``path``: its source text if it is not text."""
        text = self.written.get(path)
        return value if text is None else Written(text)


def _packed_origin(path: str, packed: bytes, refused: set[Path] | None = None) -> Origin:
    origin = Origin(path)
    origin._packed = packed
    origin._refused = refused or set()
    return origin
