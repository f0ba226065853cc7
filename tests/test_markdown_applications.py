"""Markdown applications as a reader sees them on GitHub: the sections are the headings that
CommonMark finds, and the text counted is the text shown (docs/records.md, Applications)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_kopa
from kopa_cli.load.markdowndoc import parse_markdown_application

FRONT = "---\nname: Kainuun lukioverkko\n---\n"  # the body starts on line 4


def _parsed(body: str) -> tuple[dict, list[tuple[int, int, str]], dict]:
    data, origin, problems = parse_markdown_application(FRONT + body, "a.md")
    return data, [(p.line, p.column, p.code) for p in problems], origin.values


def test_a_setext_heading_is_a_section() -> None:
    data, problems, values = _parsed("Alueellinen tavoite tai haaste\n-----\n\nTavoite.\n\nToteutus\n--------\nKuvaus.\n")
    assert problems == []
    assert (data["goal"], data["plan"]) == ("Tavoite.", "Kuvaus.")
    assert (values[("goal",)], values[("plan",)]) == ((7, 1), (11, 1))


def test_an_unknown_setext_heading_is_an_unknown_section_at_its_first_line() -> None:
    data, problems, _ = _parsed("## Alueellinen tavoite tai haaste\n\nTavoite.\n\nBudjetti\n--------\n\nNoin 20 000 euroa.\n")
    assert problems == [(8, 1, "KOPA112")]
    assert data["goal"] == "Tavoite."  # the budget is not added to the goal


def test_a_setext_heading_takes_the_paragraph_above_it_as_github_does() -> None:
    _, problems, _ = _parsed("## Toteutus\nKuvaus alkaa.\nBudjetti\n---\n")
    assert problems == [(5, 1, "KOPA112")]


def test_a_level_one_setext_heading_is_a_heading_level_error() -> None:
    _, problems, _ = _parsed("Toteutus\n========\n\nKuvaus.\n")
    assert problems == [(4, 1, "KOPA113")]


@pytest.mark.parametrize(
    "inside",
    [
        "````\n```\n## Toteutus\n```\n````",  # a longer fence around a bare ```
        "~~~\n```\n## Toteutus\n~~~",  # a tilde fence around a backtick line
        "    ## Toteutus",  # indented code
        "<div>\n## Toteutus\n</div>",  # an HTML block
        "- ## Toteutus",  # a heading in a list item
        "> ## Toteutus",  # ... and in a quote
        "<!--\n## Toteutus\n-->",  # a comment
    ],
)
def test_a_heading_line_that_github_does_not_show_as_a_section_is_text(inside: str) -> None:
    data, problems, _ = _parsed(f"## Alueellinen tavoite tai haaste\n\nTavoite.\n\n{inside}\n\n## Toteutus\n\nKuvaus.\n")
    assert problems == []
    assert data["goal"] == f"Tavoite.\n\n{inside}"
    assert data["plan"] == "Kuvaus."


@pytest.mark.parametrize(
    "heading",
    [
        "## *Toteutus*",  # emphasis, as GitHub shows it: the heading reads "Toteutus"
        "## `Toteutus`",
        "## <span>Toteutus</span>",
        "## Toteutus <!-- muokattu 12.1. -->",
        "## Toteutus&#58;",  # an entity: "Toteutus:"
        "## Toteutus ##",
        "**Toteutus**\n--------",  # setext, with markup
    ],
)
def test_a_section_heading_is_known_by_the_text_a_reader_sees(heading: str) -> None:
    data, problems, _ = _parsed(f"## Alueellinen tavoite tai haaste\n\nTavoite.\n\n{heading}\n\nKuvaus.\n")
    assert problems == []
    assert data["plan"] == "Kuvaus."


def test_an_unknown_heading_is_quoted_as_written() -> None:
    _, problems, _ = _parsed("## Alueellinen tavoite tai haaste\n\nTavoite.\n\n## *Budjetti*\n\nx\n")
    assert problems == [(8, 1, "KOPA112")]
    _, _, diagnostics = parse_markdown_application(FRONT + "## *Budjetti*\n", "a.md")
    assert "'*Budjetti*'" in diagnostics[0].message


def test_an_unclosed_fence_runs_to_the_end_and_hides_the_headings_after_it() -> None:
    data, problems, _ = _parsed("## Alueellinen tavoite tai haaste\n\n```\nkoodi\n\n## Toteutus\n\nKuvaus.\n")
    assert problems == []
    assert "plan" not in data


def test_html_in_a_shipped_application_counts_its_text(shipped: Path) -> None:
    """The issue's example: a 3 959-character paragraph inside <div> ... </div> in
    opisto-kylille.md counted nothing, and the application passed at 1 814 characters."""
    application = shipped / "records" / "applications" / "opisto-kylille.md"
    text = application.read_text(encoding="utf-8").rstrip("\n")
    paragraph = ("Kyläkoulusta tulee koko kylän oppimisympäristö. " * 90)[:3959]
    assert len(paragraph.strip()) == 3959
    application.write_text(f"{text}\n\n<div>\n{paragraph}\n</div>\n", encoding="utf-8")
    paragraph_line = text.count("\n") + 4  # after the old last line: a blank line and <div>

    report = json.loads(run_kopa("validate", "--format", "json", workspace=shipped).stdout)

    lengths = {item["path"]: item["count"] for item in report["lengths"]}
    assert lengths["records/applications/opisto-kylille.md"] == 1814 + 3959 == 5773
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in report["diagnostics"]] == [
        ("records/applications/opisto-kylille.md", paragraph_line, 1, "KOPA302"),
    ]
