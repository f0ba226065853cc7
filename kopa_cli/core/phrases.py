"""Message arguments shown in words staff know, built when the message is shown (in its language).

- ``Field``: a field of a record by its name, with its place in the file as the keys read:
  ``deciding body (member 2 'kuhmo' → approval → body)`` rather than ``members.1.approval.body``.
  Members and list items are numbered from 1, as people count; a member is named.
- ``Choice``: a fixed value with its meaning: ``'submitted' (jätetty)``.

Both are ``str`` (their parts joined by a separator, U+001F), so a diagnostic stays hashable
and cacheable like its other arguments; a cache that keeps only the text must keep the class.
"""

from __future__ import annotations

from collections.abc import Callable

from kopa_cli.core.i18n import N_, _

_SEP = "\x1f"
_INDEX = "#"  # a list index, as opposed to a mapping key that is a number (population: {2019: ...})


class Field(str):
    """A field: ``Field.of(label, path, member)``; ``label`` is a message id ("" for none)."""

    __slots__ = ()

    @classmethod
    def of(cls, label: str, path: tuple[str | int, ...], member: str | None = None) -> Field:
        parts = [f"{_INDEX}{part}" if isinstance(part, int) and not isinstance(part, bool) else str(part) for part in path]
        return cls(_SEP.join([label, member or "", *parts]))

    def localized(self, shown: Callable[[str], str] = str) -> str:
        """In the current language; ``shown``: how the record's own text (keys, ids) is shown."""
        label, member, *parts = self.split(_SEP)
        steps: list[str] = []
        for part in parts:
            if not part.startswith(_INDEX):
                steps.append(shown(part))
                continue
            number = int(part[1:]) + 1
            if steps and steps[-1] == "members":
                template = N_("member {number} '{name}'") if member else N_("member {number}")
                steps[-1] = _(template).format(number=number, name=shown(member))
            else:
                steps.append(_("item {number}").format(number=number))
        where = " → ".join(steps) or "."
        if not label or _(label) == where:  # "status (status)" says it twice
            return where
        return _("{label} ({path})").format(label=_(label), path=where)


class Choice(str):
    """A fixed value (a status, a split, a type) with its meaning: ``Choice.of(value, meaning)``."""

    __slots__ = ()

    @classmethod
    def of(cls, value: object, meaning: str = "") -> Choice:
        return cls(f"{value}{_SEP}{meaning}")

    def localized(self, shown: Callable[[str], str] = str) -> str:
        value, meaning = self.split(_SEP)
        return f"'{shown(value)}' ({_(meaning)})" if meaning else f"'{shown(value)}'"
