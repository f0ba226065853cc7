"""Where a value was written: the file, and the 1-based line and column of every key and value."""

from __future__ import annotations

import marshal
from typing import Any

Pos = tuple[int, int]  # 1-based line and column
Path = tuple[str | int, ...]  # keys and list indexes from the document root


class Origin:
    """The file a record came from and the position of each value and key in it.

    Positions are needed only for the few values that have a problem, but a record is
    pickled into the cache and between processes with all of them: so they travel packed
    (marshal, many times quicker than pickle for plain tuples) and are unpacked on first use.
    Two origins are equal when they name the same file and the same positions.
    """

    __slots__ = ("path", "_values", "_keys", "_packed")

    def __init__(self, path: str, values: dict[Path, Pos] | None = None, keys: dict[Path, Pos] | None = None) -> None:
        self.path = path
        self._values = {} if values is None else values
        self._keys = {} if keys is None else keys
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

    def _unpack(self) -> None:
        self._values, self._keys = marshal.loads(self._packed)  # type: ignore[arg-type]
        self._packed = None

    def __reduce__(self) -> tuple[Any, tuple[str, bytes]]:
        return _packed_origin, (self.path, self._packed or marshal.dumps((self._values, self._keys)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) and (other.path, other.values, other.keys) == (self.path, self.values, self.keys)

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


def _packed_origin(path: str, packed: bytes) -> Origin:
    origin = Origin(path)
    origin._packed = packed
    return origin
