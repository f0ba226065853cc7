"""The formats records are declared with (load/formats.py) match the whole value, in ASCII digits."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import get_args

import pytest

from conftest import copy_shipped_workspace, run_kopa
from kopa_cli.core.identifiers import is_id
from kopa_cli.core.spelling import meant_id
from kopa_cli.load import formats
from kopa_cli.load.structure import _CONTROL, _CONTROL_IN_FREE_TEXT, Format

# A valid example of every format in formats.py; a new format needs one here.
EXAMPLES = {
    "Id": "kainuu-lukiot",
    "Email": "laskut@kajaani.example.fi",
    "Postcode": "87100",
    "Phone": "+358 40 123 4567",
    "BusinessId": "2235388-6",
    "Iban": "FI2617453000123456",
    "LedgerNumber": "20200001",
    "Reference": "202000015",
    "Bic": "NDEAFIHH",
    "MunicipalityCode": "205",
    "AreaCode": "205",
    "EInvoiceAddress": "003722353886",
    "EInvoiceOperator": "003721291126",
}
FORMATS = {name: get_args(value)[1] for name, value in vars(formats).items() if len(get_args(value)) > 1 and isinstance(get_args(value)[1], Format)}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_every_format_has_an_example() -> None:
    assert sorted(FORMATS) == sorted(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_format_takes_the_whole_value_and_only_ascii_digits(name: str) -> None:
    check, text = FORMATS[name].check, EXAMPLES[name]
    assert check(text)
    for changed in (text + "\n", "\n" + text, text + "\r\n", f"{text}\x0b", f"{text}\u2028"):
        assert not check(changed), repr(changed)
    if any(c.isdigit() for c in text):
        assert not check(text.translate(FULLWIDTH))


def test_an_id_of_64_characters_at_most() -> None:
    assert is_id("a" * 64) and not is_id("a" * 65)
    assert not is_id("kajaani\n") and not is_id("Kajaani")


def test_an_id_is_suggested_only_when_valid() -> None:
    assert meant_id("A" * 64) == "a" * 64
    assert meant_id("A" * 65) == ""


def test_a_file_name_with_a_trailing_line_break_is_refused(tmp_path: Path) -> None:
    root = copy_shipped_workspace(tmp_path)
    folder = root / "records" / "organizations"
    (folder / "kajaani.yaml").rename(folder / "kajaani\n.yaml")
    result = run_kopa("validate", "--format", "json", "--no-cache", workspace=root)
    found = {(d["path"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert ("records/organizations/kajaani\n.yaml", "KOPA117") in found


# Characters a reader does not see (or takes for a space) that would make a value differ
# from what is shown: none may start or end a formatted value, nor (but the plain space some
# formats group digits with) sit inside it.
INVISIBLE = ("\u00a0", "\u200b", "\u200e", "\u202e", "\u2060", "\ufeff", "\u00ad")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_no_space_or_invisible_character_at_the_ends_or_inside_a_format(name: str) -> None:
    check, text = FORMATS[name].check, EXAMPLES[name]
    for char in (" ", *INVISIBLE):
        assert not check(char + text) and not check(text + char), repr(char)
    for char in INVISIBLE:
        assert not check(text[:1] + char + text[1:]) and not check(text[:-1] + char + text[-1:]), repr(char)


@pytest.mark.parametrize("address", ["laskut@kuhmo,example.fi", "lasku<t>@kuhmo.example.fi", "a;b@kuhmo.example.fi",
                                     "laskut@kuhmo.example.fi>", "laskut@kuhmo..fi", "laskut@.kuhmo.fi", "laskut@kuhmo.fi."])
def test_an_email_address_holds_no_separator_of_a_list_or_an_empty_domain_label(address: str) -> None:
    assert not get_args(formats.Email)[1].check(address)


def test_text_refuses_every_control_format_and_noncharacter() -> None:
    # held against unicodedata: controls (Cc), format characters (Cf), surrogates (Cs), the line
    # and paragraph separators (Zl, Zp; free text only) and the noncharacters
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE
        never = category in ("Cf", "Cs") or noncharacter or (category == "Cc" and char not in "\t\n")
        later = category == "Cn"  # unassigned here: a format character of a later Unicode may be listed
        assert bool(_CONTROL.search(char)) == (never or category in ("Cc", "Zl", "Zp")) or later, hex(code)
        assert bool(_CONTROL_IN_FREE_TEXT.search(char)) == never or later, hex(code)
