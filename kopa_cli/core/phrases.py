"""Message arguments shown in words staff know, built when the message is shown (in its language).

- ``Field``: a field of a record by its name, with its place in the file as the keys read:
  ``deciding body (member 2 'kuhmo' → approval → body)`` rather than ``members.1.approval.body``.
  Members and list items are numbered from 1, as people count; a member is named. A mapping
  key that is a number (``population: {2019: ...}``) is shown as written: 2019.
- ``Choice``: a fixed value with its meaning: ``'submitted' (jätetty)``.

Both are frozen dataclasses, so a diagnostic stays hashable, picklable and comparable like its
other arguments, whatever the user's text holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kopa_cli.core.i18n import N_, _


@dataclass(frozen=True)
class Field:
    """A field: ``label`` a message id ("" for none); ``steps`` the keys from the record's root
    as written (text), with list indexes as ints; ``member`` the id of the member it is in."""

    label: str
    steps: tuple[str | int, ...]
    member: str | None = None

    @classmethod
    def of(cls, label: str, path: tuple[Any, ...], member: str | None = None, data: Any = None) -> Field:
        """``path``: keys and list indexes from the root of ``data`` (the record as parsed).
        A number in ``path`` is a list index only where ``data`` holds a list; without ``data``
        (``None``) every whole number is taken for one."""
        steps: list[str | int] = []
        known = data is not None
        for part in path:
            is_int = isinstance(part, int) and not isinstance(part, bool)
            index = is_int and (isinstance(data, list) if known else True)
            steps.append(part if index else str(part))
            if known:
                data = _child(data, part)
                known = data is not None
        return cls(label, tuple(steps), member)

    def localized(self, shown: Callable[[str], str] = str) -> str:
        """In the current language; ``shown``: how the record's own text (keys, ids) is shown."""
        steps: list[str] = []
        for part in self.steps:
            if isinstance(part, str):
                steps.append(shown(part))
                continue
            number = part + 1
            if steps and steps[-1] == "members":
                template = N_("member {number} '{name}'") if self.member else N_("member {number}")
                steps[-1] = _(template).format(number=number, name=shown(self.member or ""))
            else:
                steps.append(_("item {number}").format(number=number))
        where = " → ".join(steps) or "."
        if not self.label or _(self.label) == where:  # "status (status)" says it twice
            return where
        return _("{label} ({path})").format(label=_(self.label), path=where)


def _child(data: Any, part: Any) -> Any:
    """The value at ``part`` inside ``data``, or None when there is none."""
    if isinstance(data, list):
        return data[part] if isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(data) else None
    if isinstance(data, dict):
        try:
            return data.get(part)
        except TypeError:  # an unhashable key: no such value
            return None
    return None


@dataclass(frozen=True)
class Choice:
    """A fixed value (a status, a split, a type) with its meaning (a message id, "" for none)."""

    value: str
    meaning: str = ""

    @classmethod
    def of(cls, value: object, meaning: str = "") -> Choice:
        return cls(str(value), meaning)

    def localized(self, shown: Callable[[str], str] = str) -> str:
        meaning = _(self.meaning) if self.meaning else ""
        if meaning and meaning != self.value:  # "'selected' (selected)" says it twice
            return f"'{shown(self.value)}' ({meaning})"
        return f"'{shown(self.value)}'"
