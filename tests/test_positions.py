"""Positions are the lines git, GitHub and editors show: only a line feed ends a line.

libyaml reads YAML 1.1, where NEL, LS and PS (U+0085, U+2028, U+2029) end lines too. Every
position kopa reports (values, keys, syntax errors, Markdown front matter) counts LF lines
and characters on them, and the parser's own error is reported where it is.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conftest import run_kopa
from kopa_cli.core.i18n import set_language
from kopa_cli.load.yamlparse import parse_yaml

APPLICATION = "records/applications/kainuu-jatkuva-oppiminen.yaml"
BREAKS = {"NEL": "\x85", "LS": "\u2028", "PS": "\u2029"}


def diagnostics(workspace: Path, *args: str) -> list[tuple[str, int, int, str]]:
    result = run_kopa("--lang", "en", "validate", "--format", "json", *args, workspace=workspace)
    assert result.exit_code in (0, 1), result.stderr
    return [(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name", BREAKS)
def test_a_yaml11_line_break_inside_a_value_moves_no_later_position(shipped: Path, name: str) -> None:
    # the example: a name holding LS on line 2, a misspelt status on line 5 -> 5:9, not 6:9
    application = shipped / APPLICATION
    edit(application, "name: Jatkuvan oppimisen polut Kainuussa", f'name: "Jatkuvan oppimisen{BREAKS[name]}polut Kainuussa"')
    edit(application, "status: rejected", "status: rejectd")
    # no name may hold a line break of any kind (KOPA215): reported at the name itself
    assert diagnostics(shipped, str(application)) == [(APPLICATION, 2, 7, "KOPA215"), (APPLICATION, 5, 9, "KOPA206")]


def test_the_character_stays_in_the_value_as_written(shipped: Path) -> None:
    edit(shipped / APPLICATION, "name: Jatkuvan oppimisen polut Kainuussa", "name: Jatkuvan oppimisen\u2028polut Kainuussa")
    data, origin, problems = parse_yaml((shipped / APPLICATION).read_text(encoding="utf-8"), APPLICATION)
    assert problems == []  # unquoted too: YAML 1.2 (and git) see one line
    assert data["name"] == "Jatkuvan oppimisen\u2028polut Kainuussa"
    assert origin.at("status") == (5, 9)


def test_keys_columns_and_syntax_errors_count_lf_lines_and_characters() -> None:
    text = 'a: "x\x85y"  # \u2029 a comment\n"b\u2028": 1\nc: "\u2028ö" \u2028 d: e: f\n'
    data, origin, problems = parse_yaml(text, "p.yaml")
    assert data is None
    # line 3: after the closing quote, the LS (an ordinary character to YAML 1.2) is the 9th
    assert [(d.line, d.column, d.code) for d in problems] == [(3, 9, "KOPA104")]
    data, origin, problems = parse_yaml('a: "x\x85y"\n"b\u2028": 1\nc: [1, "\u2028", 3]\n', "p.yaml")
    assert problems == [] and data == {"a": "x\x85y", "b\u2028": 1, "c": [1, "\u2028", 3]}
    assert origin.key_at("b\u2028") == (2, 1)
    assert origin.at("c", 2) == (3, 13)


def test_stand_ins_never_collide_with_the_files_own_private_use_characters() -> None:
    text = 'a: "\ue000\u2028\ue001"\nb: "\\ue002"\n'
    data, _origin, problems = parse_yaml(text, "p.yaml")
    assert problems == [] and data == {"a": "\ue000\u2028\ue001", "b": "\ue002"}


@pytest.mark.parametrize("taken", ["".join(map(chr, range(0xE000, 0xF900))), " ".join(f"{c:04x}" for c in range(0xE000, 0xF900))])
def test_a_file_leaving_no_stand_in_free_still_parses(taken: str) -> None:
    # every private-use character held (or named in hex): the LS and the tab stay as they are
    data, _origin, problems = parse_yaml(f'a: "{taken}"\nb: "x\u2028y"\nc: |\n  \tt\n', "p.yaml")
    assert [d.code for d in problems] == ["KOPA105"] and data is None
    data, _origin, problems = parse_yaml(f'a: "{taken}"\nb: "x\u2028y"\n', "p.yaml")
    assert problems == [] and data["b"] == "x\u2028y"


def test_thousands_of_tabs_starting_blocks_parse_in_one_pass() -> None:
    text = "".join(f"k{i}: |\n  \tText {i}\n" for i in range(3000))
    started = time.perf_counter()
    data, _origin, problems = parse_yaml(text, "p.yaml")
    assert problems == [] and data["k0"] == "\tText 0\n" and data["k2999"] == "\tText 2999\n"
    assert time.perf_counter() - started < 2  # was 31 s: a whole parse per tab
    _data, _origin, problems = parse_yaml(text + "status: rejected: late\n", "p.yaml")
    assert [(d.line, d.column, d.code) for d in problems] == [(6001, 17, "KOPA218")]  # the real error, not a tab


def test_a_tab_that_only_looks_like_a_blocks_text_keeps_its_yaml_meaning() -> None:
    # a "|" at the end of a quoted line: the next line's tab is folding space, not text
    data, _origin, problems = parse_yaml('a: "x |\n   \ty"\nb: |\n  \tz\n', "p.yaml")
    assert problems == [] and data == {"a": "x | y", "b": "\tz\n"}


def test_markdown_front_matter_offsets_count_lf_lines_too(shipped: Path) -> None:
    application = shipped / "records/applications/kainuu-lukiot.md"
    text = application.read_text(encoding="utf-8")
    lines = text.split("\n")
    status = next(i for i, line in enumerate(lines) if line.startswith("status:"))
    name = next(i for i, line in enumerate(lines) if line.startswith("name:"))
    assert name < status
    lines[name] = 'name: "Kainuun\u2028lukiot"'
    lines[status] = "status: selectd"
    application.write_text("\n".join(lines), encoding="utf-8")
    assert diagnostics(shipped, str(application)) == [
        ("records/applications/kainuu-lukiot.md", name + 1, 7, "KOPA215"),  # no line break in a name
        ("records/applications/kainuu-lukiot.md", status + 1, 9, "KOPA206"),
    ]


def test_a_tab_inside_a_block_is_no_hint_for_a_later_syntax_error(shipped: Path) -> None:
    # the example: a (valid) tab in a `|` block on line 17, the real error on line 27
    application = shipped / APPLICATION
    edit(application, "  Kainuun työmarkkinoilla on", "  \tKainuun työmarkkinoilla\ton")  # the block's first line
    edit(application, "  Tavoitteemme on", "  \tTavoitteemme on")  # a tab starting a later line, line 19
    text = application.read_text(encoding="utf-8")
    assert text.split("\n")[16].startswith("  \tKainuun") and text.count("\n") == 25
    application.write_text(text + "\nstatus: rejected: late\n", encoding="utf-8")
    assert diagnostics(shipped, str(application)) == [(APPLICATION, 27, 17, "KOPA218")]  # the colon, with its fix
    result = run_kopa("validate", str(application), workspace=shipped)
    assert "kaksoispiste ja välilyönti" in result.stdout and "mapping values" not in result.stdout
    application.write_text(text, encoding="utf-8")  # without the error, the tabs are text
    data, _origin, problems = parse_yaml(text, APPLICATION)
    assert problems == [] and data["goal"].startswith("\tKainuun työmarkkinoilla\ton")
    assert "\n\tTavoitteemme on" in data["goal"]


def test_a_line_indented_with_a_tab_gets_the_tab_hint_at_its_tab() -> None:
    for text, position in (
        ("a:\n\tb: 1\n", (2, 1)), ("a:\n  b: 1\n  \tc: 2\n", (3, 3)), ("a: |\n  x\n\tb: 1\n", (3, 1)),
        ("a: |\n\tx\n", (2, 1)), ("a:\n  g: |\n  \tx\n", (3, 3)),  # the tab would be the block's indentation
        ("g: >\n  \tx\n", (2, 3)),  # libyaml refuses it at the start of a folded block
    ):
        _data, _origin, problems = parse_yaml(text, "p.yaml")
        assert [(d.line, d.column, d.code) for d in problems] == [(*position, "KOPA105")], text


def test_a_reader_error_counts_characters_not_utf8_bytes() -> None:
    _data, _origin, problems = parse_yaml('äää: 1\nb: "ö\x81"\n', "p.yaml")
    assert [(d.line, d.column, d.code) for d in problems] == [(2, 6, "KOPA104")]
    assert "U+0081" in problems[0].message


def test_an_undefined_alias_is_the_alias_rule() -> None:
    _data, _origin, problems = parse_yaml("a: 1\nb: *nowhere\n", "p.yaml")
    assert [(d.line, d.column, d.code) for d in problems] == [(2, 4, "KOPA107")]


def test_the_parsers_problems_and_the_systems_are_said_in_the_users_language(shipped: Path) -> None:
    # §10: "YAML-syntaksivirhe: did not find expected ',' or '}'", "No such file or directory"
    organization = shipped / "records/organizations/paltamo.yaml"
    edit(organization, "city: Paltamo}", "city: Paltamo")
    (shipped / "records/organizations/gone.yaml").symlink_to("missing.yaml")
    result = run_kopa("validate", workspace=shipped)
    assert [line for line in result.stdout.splitlines() if "KOPA1" in line] == [
        "records/organizations/gone.yaml:1:1: virhe KOPA116 tiedostoa ei voi lukea: tiedostoa tai kansiota ei ole",
        "records/organizations/paltamo.yaml:8:9: virhe KOPA104 YAML-syntaksivirhe: rivillä 7 alkavaa aaltosulkeissa "
        "olevaa osaa ei ole suljettu: siitä puuttuu pilkku tai sulkeva aaltosulje",
    ]
    swedish = run_kopa("--lang", "sv", "validate", workspace=shipped)
    assert "filen eller mappen finns inte" in swedish.stdout and "No such file" not in swedish.stdout


def test_a_colon_without_a_space_inside_braces_is_named_as_such() -> None:
    # libyaml refuses "9:00" or "https://..." unquoted inside {...} or [...]: there is no ': ' to blame
    set_language("fi")
    for text, column in (("a: {open: 9:00-15:00}\n", 12), ("a: [https://kajaani.fi]\n", 10)):
        _data, _origin, problems = parse_yaml(text, "p.yaml")
        assert [(d.line, d.column, d.code) for d in problems] == [(1, column, "KOPA104")], text
        message = problems[0].render(escape=False)
        assert "hakasulkeissa tai aaltosulkeissa olevassa tekstissä on kaksoispiste" in message
        assert "(': ')" not in message
