"""One vocabulary of field names (load/fieldnames.py): a key that its record definition
labels (``key(label=...)`` in load/records.py) is named by that label in every message, of
every record kind; the table of fieldnames.py names only the keys without a label."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conftest import run_kopa
from kopa_cli.load import fieldnames
from kopa_cli.load.fieldnames import _bare, _keys, field
from kopa_cli.load.kinds import BY_NAME, KINDS

APP = "records/applications/kainuu-lukiot.md"
PILOT = "records/pilots/kainuu-lukiot.yaml"


def _labelled(kind: type) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, label) of every labelled key inside a record kind; a list item as index 0."""
    def walk(tp: Any, path: tuple[str | int, ...], depth: int) -> Iterator[tuple[tuple[str | int, ...], str]]:
        tp = _bare(tp)
        if depth > 6:
            return
        if dataclasses.is_dataclass(tp):
            for name, (label, annotation) in _keys(tp).items():
                if label:
                    yield path + (name,), label
                yield from walk(annotation, path + (name,), depth + 1)
        elif getattr(tp, "__origin__", None) is list:
            yield from walk(tp.__args__[0], path + (0,), depth + 1)
    yield from walk(kind, (), 0)


def test_every_labelled_key_is_named_by_its_label() -> None:
    labelled = [(kind, path, label) for kind in (k.record for k in KINDS) for path, label in _labelled(kind)]
    assert labelled
    for kind, path, label in labelled:
        assert field(kind, path).label == label, (kind.__name__, path)
    members = field(BY_NAME["applications"].record, ("members",)).label
    assert members and field(BY_NAME["applications"].record, ("members", 0)).label == members  # an item of it, too
    # a key labelled wherever it is defined has no second name in the table
    names: dict[str, set[bool]] = {}
    for kind in (k.record for k in KINDS):
        def collect(tp: Any, depth: int = 0) -> None:
            tp = _bare(tp)
            if dataclasses.is_dataclass(tp) and depth < 6:
                for name, (label, annotation) in _keys(tp).items():
                    names.setdefault(name, set()).add(bool(label))
                    collect(annotation, depth + 1)
            elif getattr(tp, "__origin__", None) in (list, dict):
                collect(tp.__args__[-1], depth + 1)
        collect(kind)
    always_labelled = {name for name, labelled_there in names.items() if labelled_there == {True}}
    assert sorted(always_labelled & set(fieldnames._LABELS)) == []


def test_the_same_key_has_the_same_name_in_an_application_and_its_pilot(shipped: Path) -> None:
    for path, old in ((APP, "\n  organization: kajaani\n"), (PILOT, "\n  organization: kajaani\n")):
        text = (shipped / path).read_text(encoding="utf-8")
        assert text.count(old) == 1
        (shipped / path).write_text(text.replace(old, "\n  organization: [kajaani]\n"), encoding="utf-8")
    result = run_kopa("validate", "--format", "json", "--no-cache", workspace=shipped)
    messages = {(d["path"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]}
    wrong = "kentän vastuuorganisaatio (responsible → organization) pitää olla teksti, nyt se on luettelo"
    assert messages == {(APP, wrong), (PILOT, wrong)}


def test_an_entry_of_a_mapping_is_named_by_the_key_that_holds_it(shipped: Path) -> None:
    call = shipped / "records/call.yaml"
    text = call.read_text(encoding="utf-8")
    assert text.count('"2013-01-01": "24"') == 1
    call.write_text(text.replace('"2013-01-01": "24"', '"2013-01-01": 24'), encoding="utf-8")
    result = run_kopa("validate", "--format", "json", "--no-cache", workspace=shipped)
    messages = [d["message"] for d in json.loads(result.stdout)["diagnostics"]]
    assert messages == ['kenttä alv-kannat (fee → vat → 2013-01-01) pitää kirjoittaa lainausmerkkeihin: "24" (ilman niitä 24 ei ole tekstiä vaan luku)']
