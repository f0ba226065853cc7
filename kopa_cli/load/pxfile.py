"""Reading a PX file (PC-Axis), as Statistics Finland's PxWeb saves a table.

The format (PX file format 2013, Statistics Sweden / PX-Web group): ``KEYWORD="value";``
entries, a keyword optionally followed by a language in brackets and a sub-key in
parentheses (``VALUES("Alue")="Koko maa","Kajaani";``); a value is quoted text (several
quoted strings on consecutive lines join into one text), a comma-separated list, or a bare
word or number; the file ends with ``DATA=`` and every figure, row-major over the STUB
variables and then the HEADING ones (the last varies fastest). Missing figures are written
as one to six dots ("..", "..."); a dash ("-") is nil, the figure zero (PX 2013: "For
PC-Axis version prior to 2005 a dash is presented as 0").

The bytes are decoded by the file's ``CODEPAGE`` (Statistics Finland writes
``CODEPAGE="iso-8859-15";``); without one, as ISO-8859-1, the format's default; a UTF-8
byte order mark means UTF-8. Only what kopa needs is read; other keywords are skipped.
"""

from __future__ import annotations

import codecs
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from kopa_cli.core.i18n import N_
from kopa_cli.load.statcube import Cube, Dimension, broken

DEFAULT_CODEPAGE = "iso-8859-1"
_CODEPAGE = re.compile(rb'^CODEPAGE\s*=\s*"([^"]*)"', re.MULTILINE)
_KEYWORD = re.compile(r'([A-Za-z][A-Za-z0-9-]*)(?:\[([A-Za-z_-]+)\])?(?:\(((?:"[^"]*"\s*,?\s*)+)\))?\s*=')
_SUBKEY = re.compile(r'"([^"]*)"')
_BARE = re.compile(r'[^\s",;]+')
_MISSING = re.compile(r"\.{1,6}")
_NIL = "-"


def _decode(data: bytes, path: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        name, data, line = "utf-8", data[len(codecs.BOM_UTF8):], 1
    else:
        found = _CODEPAGE.search(data)
        name = found.group(1).decode("ascii", "replace") if found else DEFAULT_CODEPAGE
        line = data.count(b"\n", 0, found.start()) + 1 if found else 1
    try:
        codecs.lookup(name)
    except LookupError:
        raise broken(path, line, N_("the character set '{name}' (CODEPAGE) is not one kopa knows; save the file again from PxWeb"), name=name) from None
    try:
        text = data.decode(name)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise broken(path, line, N_("byte {byte} is not {name} text, the character set the file declares (CODEPAGE)"), byte=f"0x{data[error.start]:02x}", name=name) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.at = 0

    def line(self, at: int | None = None) -> int:
        return self.text.count("\n", 0, self.at if at is None else at) + 1

    def fail(self, message: str, at: int | None = None, **args: object) -> Exception:
        return broken(self.path, self.line(at), message, **args)

    def skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def entries(self) -> tuple[dict[tuple[str, str | None], tuple[list[str], int]], list[tuple[str, int]]]:
        """Every keyword before DATA, by (KEYWORD, sub-key) for the file's main language, with
        its values and line; then the DATA tokens with their positions."""
        found: dict[tuple[str, str | None], tuple[list[str], int]] = {}
        while True:
            self.skip_space()
            if self.at >= len(self.text):
                raise self.fail(N_("the file has no DATA: it is not a whole PX file"))
            start = self.at
            match = _KEYWORD.match(self.text, self.at)
            if match is None:
                raise self.fail(N_("expected a keyword like TITLE= here, found '{found}'"), found=self.text[self.at:self.at + 20].split("\n")[0])
            self.at = match.end()
            keyword = match.group(1).upper()
            if keyword == "DATA":
                return found, self.data()
            values = self.values(start, keyword)
            if match.group(2) is None:  # the file's main language; translations are skipped
                subkeys = _SUBKEY.findall(match.group(3) or "")
                found[(keyword, subkeys[0] if subkeys else None)] = (values, self.line(start))

    def values(self, start: int, keyword: str) -> list[str]:
        """A keyword's values up to its ';': quoted strings (joined when only white space
        separates them) and bare words, separated by commas."""
        items: list[str] = []
        current: str | None = None
        while True:
            self.skip_space()
            if self.at >= len(self.text):
                raise self.fail(N_("the value that starts here does not end with ';'"), start)
            char = self.text[self.at]
            if char == ";":
                self.at += 1
                if current is not None:
                    items.append(current)
                return items
            if char == ",":
                if current is None:
                    raise self.fail(N_("an empty value in a list (two commas, or a comma first)"))
                items.append(current)
                current = None
                self.at += 1
            elif char == '"':
                current = (current or "") + self.quoted()
            else:
                match = _BARE.match(self.text, self.at)
                assert match is not None  # not space, not , ; or "
                if current is not None and _KEYWORD.match(self.text, self.at):  # the next keyword
                    raise self.fail(N_("the value of {keyword} does not end with ';'"), start, keyword=keyword)
                if current is not None:
                    raise self.fail(N_("'{found}' follows a value without a comma or ';' between them"), found=match.group())
                current = match.group()
                self.at = match.end()

    def quoted(self) -> str:
        """The text between the quotation mark here and the next one, on the same line (a
        longer text is written as several quoted strings, one a line)."""
        end = self.text.find('"', self.at + 1)
        line_end = self.text.find("\n", self.at)
        if end < 0 or 0 <= line_end < end:
            raise self.fail(N_("a quoted text that starts here never ends"))
        text = self.text[self.at + 1:end]
        self.at = end + 1
        return text

    def data(self) -> list[tuple[str, int]]:
        """The figures after DATA=, up to ';': separated by spaces, tabs, line breaks or commas."""
        tokens: list[tuple[str, int]] = []
        while True:
            while self.at < len(self.text) and (self.text[self.at].isspace() or self.text[self.at] == ","):
                self.at += 1
            if self.at >= len(self.text):
                raise self.fail(N_("DATA does not end with ';': the file may be cut short"))
            if self.text[self.at] == ";":
                self.at += 1
                self.skip_space()
                if self.at < len(self.text):
                    raise self.fail(N_("text after the end of DATA"))
                return tokens
            if self.text[self.at] == '"':
                start = self.at
                tokens.append((self.quoted(), start))
            else:
                match = _BARE.match(self.text, self.at)
                assert match is not None
                tokens.append((match.group(), self.at))
                self.at = match.end()


def _one(entries: dict, keyword: str, subkey: str | None = None) -> str | None:
    found = entries.get((keyword, subkey))
    return " ".join(found[0]) if found else None


def _date(text: str | None) -> date | None:
    """LAST-UPDATED as PX writes it: "CCYYMMDD hh:mm" (the time is dropped)."""
    if not text:
        return None
    try:
        return datetime.strptime(text.strip()[:8], "%Y%m%d").date()
    except ValueError:
        return None


def _figure(reader: _Reader, token: str, at: int) -> Decimal | None:
    if _MISSING.fullmatch(token):
        return None
    if token == _NIL:
        return Decimal(0)
    try:
        value = Decimal(token)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise reader.fail(N_("'{found}' in DATA is not a figure (a number, '..' for a missing one, or '-' for nil)"), at, found=token)
    return value


def read_px(data: bytes, path: str) -> Cube:
    """The table in a PX file's bytes. Raises BrokenStatisticsFile (``path:line: ...``)."""
    reader = _Reader(_decode(data, path), path)
    entries, tokens = reader.entries()
    if ("STUB", None) not in entries and ("HEADING", None) not in entries:
        raise broken(path, 1, N_("the file has neither STUB nor HEADING: it does not say what its variables are"))
    keys = next((line for (keyword, _), (_, line) in entries.items() if keyword == "KEYS"), None)
    if keys is not None:  # DATA rows led by their stub values: PxWeb does not write them
        raise broken(path, keys, N_("the file writes its DATA with KEYS, which kopa does not read; save the table from PxWeb as a PC-Axis file"))
    names = [*entries.get(("STUB", None), ([], 0))[0], *entries.get(("HEADING", None), ([], 0))[0]]
    dimensions = []
    for name in names:
        values = entries.get(("VALUES", name))
        if values is None:
            line = next(entries[(kind, None)][1] for kind in ("STUB", "HEADING") if name in entries.get((kind, None), ((), 0))[0])
            raise broken(path, line, N_("the variable '{name}' has no VALUES(\"{name}\")"), name=name)
        labels = tuple(values[0])
        codes = entries.get(("CODES", name))
        if codes is not None and len(codes[0]) != len(labels):
            raise broken(path, codes[1], N_("CODES(\"{name}\") has {codes} codes but VALUES(\"{name}\") has {values} values"), name=name, codes=len(codes[0]), values=len(labels))
        dimensions.append(Dimension(name, name, tuple(codes[0]) if codes else labels, labels, ("TIMEVAL", name) in entries, values[1]))
    cube = Cube(
        path=path,
        table=_one(entries, "MATRIX") or _one(entries, "TABLEID"),
        title=_one(entries, "DESCRIPTION") or _one(entries, "TITLE") or "",  # DESCRIPTION names the table
        source=_one(entries, "SOURCE"),
        updated=_date(_one(entries, "LAST-UPDATED") or _one(entries, "CREATION-DATE")),
        unit=_one(entries, "UNITS"),
        contents=_one(entries, "CONTENTS"),
        dimensions=tuple(dimensions),
        values=tuple(_figure(reader, token, at) for token, at in tokens),
    )
    if len(cube.values) != cube.cells():
        at = tokens[-1][1] if tokens else reader.at
        raise reader.fail(N_("DATA has {found} figures, but the variables call for {expected} ({sizes})"), at, found=len(cube.values), expected=cube.cells(), sizes=" × ".join(str(len(d.codes)) for d in dimensions))
    return cube
