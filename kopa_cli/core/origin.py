"""Where a value was written: the file, and the 1-based line and column of every key and value.

Lines are the lines git, GitHub and editors show: only a line feed ends a line (a CR LF
pair was made one line feed when the file was read); a column counts characters on that line.
"""

from __future__ import annotations

Pos = tuple[int, int]  # 1-based line and column
Path = tuple[str | int, ...]  # keys and list indexes from the document root


class Written(str):
    """A value's source text, exactly as the user wrote it (``2019-12-13 23:30:00+02:00``):
    what a message quotes, in every language, rather than the value formatted anew."""

    __slots__ = ()


class Origin:
    """The file a record came from, the position of each value and key in it, and the source
    text of each value that is not text (a number, date, true/false), as the user wrote it.

    ``refused``: the paths whose value (or key) was written but reported as wrong, and so left
    out of the record (text with a stray control character is kept), so that a rule never calls
    "missing" what was written but refused (``load/structure.py``).
    Two origins are equal when they name the same file, the same positions and the same source texts.
    """

    __slots__ = ("path", "values", "keys", "written", "refused")

    def __init__(
        self, path: str, values: dict[Path, Pos] | None = None, keys: dict[Path, Pos] | None = None,
        written: dict[Path, str] | None = None,
    ) -> None:
        self.path = path
        self.values = {} if values is None else values
        self.keys = {} if keys is None else keys
        self.written = {} if written is None else written  # source text of values that are not text
        self.refused: set[Path] = set()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) and (other.path, other.values, other.keys, other.written) == (
            self.path, self.values, self.keys, self.written
        )

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
