"""The call's length rule (record-format.md, Length): what counts as a character, and where
the text crosses the limit."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from kopa_cli.core.textlength import count_chars, crossing_line, plain_lines

# Finnish and Swedish text: letters that decompose under NFD, spaces of several kinds,
# line breaks and punctuation that is not Markdown markup.
PLAIN_ALPHABET = "aeiknstuyäöåÄÖÅéü0123456789 ,.?\u00a0\n"
plain_text = st.text(alphabet=PLAIN_ALPHABET, max_size=300)
# ... and with Markdown markup: emphasis, links, lists, headings, code, HTML, entities.
MARKDOWN_ALPHABET = PLAIN_ALPHABET + "*_`[]()<>!#-+>|~\\&:/\t"
markdown_text = st.text(alphabet=MARKDOWN_ALPHABET, max_size=300)
_STARTS_A_LIST = re.compile(r"^\s*\d+[.)](\s|$)", re.MULTILINE)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _shown_lines(text: str) -> list[str]:
    """Plain text (no markup) as a reader sees it, one entry per source line: each line
    stripped; a line that continues a paragraph starts with the space its line break shows."""
    shown, in_paragraph = [], False
    for line in unicodedata.normalize("NFC", text).split("\n"):
        if not line.strip(" \t"):  # a blank line (CommonMark: spaces and tabs only) ends a paragraph
            in_paragraph = False
        visible = line.strip()
        shown.append(" " + visible if in_paragraph and visible else visible)
        in_paragraph = in_paragraph or bool(visible)
    return shown


@given(markdown_text)
@example("Pääkaupunkiseudun *yhteistyö*")
@example("## Ääni\n\nÅbo – [Turku](https://ö.example)")
def test_nfc_and_nfd_give_the_same_count(text: str) -> None:
    """A decomposed "ä" (a + U+0308, as some editors save it) is one character."""
    assert count_chars(_nfd(text)) == count_chars(unicodedata.normalize("NFC", text))


@given(plain_text)
@example("  Kainuu\n\n  ja  Kuhmo  \n")
@example("a\u00a0\nb")  # a no-break space at a line's end is whitespace around it too
@example("a\n\u00a0\nb")  # ... and a line of no-break spaces is no blank line: "a b"
def test_plain_text_counts_its_characters_and_one_for_each_line_break_inside_a_paragraph(text: str) -> None:
    assume(not _STARTS_A_LIST.search(text))  # "1." alone on a line is an empty list item
    assume("  \n" not in text)  # two spaces before a line break make a hard break (tested below)
    assert count_chars(text) == len("".join(_shown_lines(text)))


@given(plain_text)
@example("0\u00a0\n\n0")
def test_the_quick_path_for_plain_text_agrees_with_the_markdown_parser(text: str) -> None:
    """Text without markup skips the Markdown parser; adding a marked-up paragraph of one
    character must add exactly one to the count, or the two paths disagree."""
    assume(text.strip(" \n"))
    assert count_chars(text + "\n\n*x*") == count_chars(text) + 1


@given(markdown_text, st.sampled_from(["", "\n", " \n\n", "\t\n", "  "]), st.text(alphabet=" \t\n", max_size=5))
def test_surrounding_whitespace_does_not_count(text: str, before: str, after: str) -> None:
    assume(text[:1] not in (" ", "\t"))  # more indentation could make the first line a code block
    assert count_chars(before + text + after) == count_chars(text)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Kainuu", 6),
        ("  Kainuu  ", 6),
        ("Kainuun\nlukiot", 14),  # a line break inside a paragraph is shown as a space: one character
        ("Kainuun\n\nlukiot", 13),  # a paragraph break counts nothing
        ("- yksi\n  kaksi\n- kolme", 15),  # a line break inside a list item counts one, between items nothing
        ("- yksi\nkaksi", 10),  # ... also when the item's next line is not indented
        ("Kainuu ja\nKuhmo\n---", 15),  # a setext heading: its text counts, its line break too, the line of - not
        ("*Kainuun* **lukiot**", 14),  # emphasis markup removed
        ("[Kainuu](https://kainuu.example.fi/a-very-long-address)", 6),  # the link text, not its target
        ("![Kartta](kartta.png)", 6),  # an image's alternative text
        ("`kopa validate`", 13),  # inline code is text
        ("- yksi\n- kaksi\n", 9),  # list markers removed
        ("### Aikataulu\n\nKevät 2020", 19),  # a sub-heading's text counts, its '#' do not
        ("a <b>c</b> d", 5),  # inline HTML tags removed, their text counts
        ("a <!-- c\nd --> e", 3),  # an HTML comment counts nothing, a line break inside it neither: "a e"
        ("<div>\nSanna &amp; Pekka\nja muut\n</div>", 21),  # an HTML block's text counts as a browser shows it
        ("<div>\n\n*Sanna*\n\n</div>", 5),  # Markdown between HTML tags and blank lines
        ("<p>yksi</p><p>kaksi</p>", 9),  # block elements are shown apart: nothing between them
        ("<div>yksi<br>\nkaksi</div>", 9),  # ... and so are the lines around <br>
        ("<table><tr><td>a</td><td>b</td></tr></table>", 2),
        ("<!-- kommentti -->", 0),
        ("<script>\nalert(1)\n</script>\n\n<style>p {}</style>", 0),  # never shown
        ("a <script>x</script> b", 4),  # ... inline neither
        ("<pre>\n  yksi\n  kaksi\n</pre>", 9),  # preformatted lines stand apart, as code lines do
        ('<img src="kartta.png" alt="Kainuun kartta">', 14),  # as a Markdown image: its alternative text
        ("<span>&lt;&#228;&#x00E4;&auml;&gt;</span>", 5),  # entities decoded, as a browser does
        ("<div>\na&#776;iti\n</div>", 4),  # an entity that decomposes "ä" still makes one character
        ("<div>\n<![if !supportLists]>·<![endif]>Kainuu\n</div>", 7),  # pasted from Word: as a browser reads it
        ("<div>\n<![CDATA[<![<\n</div>", 0),
        ("| Kunta | Asukkaat |\n|---|---|\n| Kajaani | 36 000 |", 26),  # a table (GitHub): its cells' text
        ("~~vanha~~ uusi", 10),  # struck-through text is shown (GitHub), its ~~ are not
        ("```\nkoodi\n```", 5),  # a code block's text counts
        ("Sanna &amp; Pekka", 13),  # an entity is one character
        ("rivi  \nrivi", 8),  # a hard line break (shown as a line break, not a space) counts nothing
        ("rivi\\\nrivi", 8),
        ("a\u0308iti", 4),  # "äiti" decomposed: four characters
        ("", 0),
        (None, 0),
    ],
)
def test_examples(text: str | None, count: int) -> None:
    assert count_chars(text) == count


@given(plain_text, st.integers(min_value=1, max_value=200), st.data())
def test_crossing_line_is_the_line_of_the_first_character_over_the_limit(text: str, first_line: int, data: st.DataObject) -> None:
    total = count_chars(text)
    assume(total > 0)
    allowed = data.draw(st.integers(min_value=0, max_value=total - 1))
    # the line of character number allowed + 1, counting as the rule does (a line break
    # inside a paragraph is the first character of the line after it)
    seen = 0
    assume(not _STARTS_A_LIST.search(text) and "  \n" not in text)
    for number, line in enumerate(_shown_lines(text)):
        seen += len(line)
        if seen > allowed:
            expected = first_line + number
            break
    assert crossing_line(text, first_line, allowed) == expected


def test_crossing_line_in_markdown_names_the_line_inside_a_paragraph_and_a_code_block() -> None:
    text = "Eka rivi\ntoka *rivi*\nkolmas\n\n```\nkoodi1\nkoodi2\n```\n"
    assert [line for line, _ in plain_lines(text, 10)] == [10, 11, 12, 15, 16]
    assert crossing_line(text, 10, 8) == 11  # "Eka rivi" is 8 characters; the 9th, a line break's space, is on line 11
    assert crossing_line(text, 10, 8 + 10 + 7 + 6) == 16
    assert crossing_line(text, 10, count_chars(text)) == 10  # not crossed: the field's first line


# Plain paragraphs and simple bullet lists skip the Markdown parser: the quick path must give
# exactly what the parser gives, line by line, whenever it takes the text.
LIST_LINE = st.one_of(
    st.text(alphabet=PLAIN_ALPHABET.replace("\n", ""), max_size=20),
    st.builds(lambda indent, marker, gap, rest: indent + marker + gap + rest,
              st.sampled_from(["", " ", "  ", "    "]), st.sampled_from(["-", "+", "1.", "2)", "*"]),
              st.sampled_from(["", " ", "  ", "\t", "     "]),
              st.text(alphabet=PLAIN_ALPHABET.replace("\n", "") + "-+#>=", max_size=20)),
)


# Many drawn texts are not for the quick path; assume() drops them, and Hypothesis fails the
# test as unsatisfiable if none is (an early return would pass without testing anything).
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(LIST_LINE, max_size=8).map("\n".join))
@example("- Kajaani\n- Sotkamo\n\nJa muut.")
@example("Kunnat\n- Kajaani\n+ Kuhmo")
@example("-\nx")  # a setext heading underline, not a list
@example("- - -")  # a thematic break
@example("0\n\u00a0  \n0")  # a hard break after a line of no-break space: the next line starts a new run
@example("- \u00a0\n0")  # an item whose text starts with a no-break space: the parser strips it and the break
@example("Kunnat  \n- Kajaani\n  Sotkamo  \nja Kuhmo")  # hard and soft line breaks in a paragraph and an item
def test_the_quick_path_for_bullet_lists_agrees_with_the_markdown_parser(text: str) -> None:
    from kopa_cli.core.textlength import _quick_lines, parsed_lines

    quick = _quick_lines(text, 1)
    assume(quick is not None)  # the property is about the quick path; the tests below show it is taken
    parsed = parsed_lines(text, 1)
    assert "".join(piece for _, piece in quick) == "".join(piece for _, piece in parsed)
    if "\u00a0" not in text:  # the parser strips a line of only no-break spaces into the next line
        assert quick == parsed


def test_the_quick_path_is_taken_for_plain_bullet_lists() -> None:
    from kopa_cli.core.textlength import _quick_lines

    assert _quick_lines("- Kajaani\n- Sotkamo\n\nJa muut.", 1) is not None
    assert _quick_lines("-\nx", 1) is None  # a setext underline: the parser decides


# ... and text built only of what the quick path is for (paragraph lines, continuation lines,
# simple bullets, blank lines, hard breaks) must take it, so the test above is never empty.
_LETTERS = "aeiknstuyäöåÄÖÅéü"
QUICK_LINE = st.one_of(
    st.builds(lambda first, rest, end: first + rest + end, st.sampled_from(_LETTERS),
              st.text(alphabet=_LETTERS + " ,.?\u00a0", max_size=20), st.sampled_from(["", " ", "  "])),
    st.builds(lambda indent, marker, gap, first, rest: indent + marker + gap + first + rest,
              st.sampled_from(["", " "]), st.sampled_from(["-", "+"]), st.sampled_from([" ", "  ", "    "]),
              st.sampled_from(_LETTERS), st.text(alphabet=_LETTERS + " ,.", max_size=20)),
    st.sampled_from(["", " ", "\t", "   continued"]),
)


@given(st.lists(QUICK_LINE, min_size=1, max_size=10).map("\n".join))
def test_plain_paragraphs_and_simple_bullets_take_the_quick_path_and_agree_with_the_parser(text: str) -> None:
    from kopa_cli.core.textlength import _quick_lines, parsed_lines

    quick = _quick_lines(text, 1)
    assert quick is not None
    parsed = parsed_lines(text, 1)
    assert "".join(piece for _, piece in quick) == "".join(piece for _, piece in parsed)
    if "\u00a0" not in text:
        assert quick == parsed


# The same text written as Markdown or as HTML, as a paragraph, a list item, a heading or an
# HTML block, with soft and hard line breaks: the count is what a reader sees, built here
# word by word (a soft break is a space, a hard break and a block boundary nothing).
WORD = st.text(alphabet="aeiknstuyäöåÄ&<", min_size=1, max_size=8)


def _escaped(word: str) -> str:
    return word.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def _marked_up_word(draw: st.DrawFn, word: str, html: bool) -> str:
    text = _escaped(word)
    marks = ["{}", "<b>{}</b>", "<span class=\"x\">{}</span>", "{}<!-- kommentti -->"]
    if not html and word.isalpha():
        marks += ["*{}*", "**{}**", "[{}](https://kainuu.example.fi)"]
    return draw(st.sampled_from(marks)).format(text)


@st.composite
def _block(draw: st.DrawFn) -> tuple[str, str]:
    """(source, shown text) of one block."""
    kind = draw(st.sampled_from(["paragraph", "item", "heading", "div", "p"]))
    html = kind in ("div", "p")
    lines = draw(st.lists(st.lists(WORD, min_size=1, max_size=4), min_size=1, max_size=4))
    breaks = [draw(st.sampled_from(["soft", "hard"])) if kind != "heading" else "soft" for _ in lines[1:]]
    source_lines = [" ".join(draw(_marked_up_word(word, html)) for word in line) for line in lines]
    hard = {"div": "<br>", "p": "<br>"}.get(kind, "\\")
    source = source_lines[0]
    for line, kind_of_break in zip(source_lines[1:], breaks):
        source += (hard if kind_of_break == "hard" else "") + "\n" + ("  " if kind == "item" else "") + line
    shown = " ".join(lines[0])
    for line, kind_of_break in zip(lines[1:], breaks):
        shown += ("" if kind_of_break == "hard" else " ") + " ".join(line)
    source = {"item": "- {}", "heading": "{}\n---", "div": "<div>\n{}\n</div>", "p": "<p>{}</p>"}.get(kind, "{}").format(source)
    return source, shown


@settings(max_examples=50)  # each example is a whole document: keep the suite quick
@given(st.lists(_block(), min_size=1, max_size=5))
@example([("<div>\nSanna &amp; Pekka\n</div>", "Sanna & Pekka"), ("Kainuu\nja Kuhmo\n---", "Kainuu ja Kuhmo")])
def test_markdown_and_html_count_what_a_reader_sees(blocks: list[tuple[str, str]]) -> None:
    text = "\n\n".join(source for source, _ in blocks)
    assert count_chars(text) == sum(len(shown) for _, shown in blocks)


def test_an_html_block_counts_its_text_and_names_its_lines() -> None:
    paragraph = "Kylät oppivat. " * 264  # 3 960 characters, 3 959 without the last space
    text = f"Tavoite.\n\n<div>\n{paragraph.strip()}\n</div>\n\nLoppu."
    assert count_chars(text) == 8 + 3959 + 6
    assert crossing_line(text, 20, 8 + 100) == 23  # the paragraph inside <div>, on the block's second line
    assert crossing_line(text, 20, 8 + 3959) == 26


HTML_PIECES = st.sampled_from(["<", ">", "<!", "<![", "<![CDATA[", "]]>", "<!--", "-->", "<?", "</", "<a", "/>", "<div>",
                               "</div>", "<script>", "</script>", "<pre>", "'", '"', "=", "&", "&#x", ";", "x", " ", "\n"])


@given(st.lists(HTML_PIECES, max_size=30).map("".join))
@example("<div>\n<![CDATA[<![<")  # the standard library's HTML parser raises on this
def test_broken_html_is_counted_never_a_crash(text: str) -> None:
    total = count_chars(text)
    assert 0 <= total <= len(text)
    crossing_line(text, 1, max(total - 1, 0))
