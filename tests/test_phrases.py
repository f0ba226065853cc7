"""Field and Choice (core/phrases.py): values, whatever the user's text holds, and a path
shown as people read it: list items counted from 1, a numbered mapping key as written."""

from __future__ import annotations

import json

from kopa_cli.core.diagnostics import Diagnostic, localize, sort_diagnostics
from collections.abc import Iterator
from contextlib import contextmanager

from kopa_cli.core.i18n import current_language, set_language
from kopa_cli.core.phrases import Choice, Field
from kopa_cli.load import plaindata

SEPARATORS = "\x1f#a\x1e\x00"


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    before = current_language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def test_user_text_with_any_character_is_kept_whole() -> None:
    field = Field.of("", ("members", 1, "org"), member=f"kuhmo{SEPARATORS}", data={"members": [{}, {}]})
    choice = Choice.of(f"x{SEPARATORS}y")
    with use_language("en"):
        assert field.localized() == f"member 2 'kuhmo{SEPARATORS}' → org"
        assert choice.localized() == f"'x{SEPARATORS}y'"
        assert localize(choice, escape=True) == "'x\\x1f#a\\x1e\\x00y'"


def test_fields_and_choices_are_values_a_diagnostic_can_hold() -> None:
    args = (("key", Field.of("status", ("status",))), ("value", Choice.of("x\x1fy", "selected")))
    diagnostic = Diagnostic("a.yaml", 1, 1, "KOPA206", args)
    copy = plaindata.decode(json.loads(json.dumps(plaindata.encode(diagnostic))))  # as the cache keeps it
    assert copy == diagnostic and hash(copy) == hash(diagnostic)
    assert [type(value) for _, value in copy.args] == [Field, Choice]
    assert sort_diagnostics([diagnostic, copy]) == [diagnostic]


def test_a_number_is_a_list_item_only_inside_a_list() -> None:
    data = {"population": {2019: -1}, "goals": {3: 5}, "members": [{"org": "kuhmo"}]}
    with use_language("en"):
        assert Field.of("", ("population", 2019), data=data).localized() == "population → 2019"
        assert Field.of("", ("goals", 3), data=data).localized() == "goals → 3"
        assert Field.of("", ("members", 0, "org"), "kuhmo", data=data).localized() == "member 1 'kuhmo' → org"
        assert Field.of("", ("years", 0)).localized() == "years → item 1"  # no data: a number is an index


def test_a_meaning_that_repeats_the_value_is_left_out() -> None:
    with use_language("en"):
        assert Choice.of("selected", "selected").localized() == "'selected'"
    with use_language("fi"):
        assert Choice.of("selected", "selected").localized() == "'selected' (valittu)"
