"""Where a value was written: the file, and the 1-based line and column of every key and value."""

from __future__ import annotations

Pos = tuple[int, int]  # 1-based line and column
Path = tuple[str | int, ...]  # keys and list indexes from the document root


class Origin:
    """The file a record came from and the position of each value and key in it.

    Two origins are equal when they name the same file and the same positions.
    """

    __slots__ = ("path", "values", "keys")

    def __init__(self, path: str, values: dict[Path, Pos] | None = None, keys: dict[Path, Pos] | None = None) -> None:
        self.path = path
        self.values = {} if values is None else values
        self.keys = {} if keys is None else keys

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
