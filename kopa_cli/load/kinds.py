"""The record kinds of a workspace: where each kind's files live and what they hold.

The one table every part of kopa reads to know the kinds: listing files (recordfiles.py),
parsing them (workspace.py), the JSON Schema (schema.py) and the commands `new` and `init`.
A new kind is a new row here and its record definition in records.py.

The record classes are looked up on first use, so that reading the file listing (and an
unchanged workspace's cached report) does not import the record definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

RECORDS = "records"  # the folder of every record file, at the workspace root
CALL_PATH = f"{RECORDS}/call.yaml"  # the call stands alone; it marks a workspace


@dataclass(frozen=True)
class Kind:
    """One kind of record.

    ``name`` is the kind as kopa names it internally and in the JSON Schema ("call" or the
    folder's name), ``noun`` the singular the user types (`kopa new organization`),
    ``folder`` its folder under records/ ("" for call.yaml, which stands alone),
    ``suffixes`` the file suffixes accepted there (the first is what `kopa new` writes),
    ``label`` its English name for people (the JSON Schema's title),
    ``aliases`` other spellings `kopa new` accepts for ``noun`` (never listed as choices),
    ``written_by`` the command that alone writes its files (the invoice ledger: `kopa invoice`),
    so that `kopa new` and `kopa init` leave them alone.
    ``max_bytes`` the largest file accepted (KOPA102): a record is a few kilobytes, more is a
    mistake or an attack; a ledger of 10 000 entries is 4.5 MB.
    """

    name: str
    noun: str
    label: str
    folder: str
    suffixes: tuple[str, ...]
    class_name: str  # in records.py
    aliases: tuple[str, ...] = ()
    written_by: str | None = None
    stem: str = "<id>"  # what a file's name stands for, for people
    max_bytes: int = 1024 * 1024

    @cached_property
    def record(self) -> type:
        """The frozen dataclass that defines this kind (records.py)."""
        from kopa_cli.load import records

        return getattr(records, self.class_name)

    @property
    def template(self) -> str:
        """The template `kopa new` renders for this kind."""
        return f"new/{self.noun}{self.suffixes[0]}.j2"

    def where(self, suffix: str | None = None) -> str:
        """Where its files are, for people: records/call.yaml or records/pilots/<id>.yaml."""
        if not self.folder:
            return CALL_PATH
        return f"{RECORDS}/{self.folder}/{self.stem}{suffix or self.suffixes[0]}"


CALL = Kind("call", "call", "call", "", (".yaml",), "Call")
KINDS: tuple[Kind, ...] = (
    CALL,
    Kind("organizations", "organization", "organisation", "organizations", (".yaml",), "Organization", ("organisation",)),
    Kind("applications", "application", "application", "applications", (".md", ".yaml"), "Application"),
    Kind("pilots", "pilot", "pilot", "pilots", (".yaml",), "Pilot"),
    Kind("invoices", "invoice", "invoice ledger", "invoices", (".yaml",), "Ledger", written_by="kopa invoice", stem="<year>",
         max_bytes=32 * 1024 * 1024),
    Kind("statistics", "statistics", "area statistics", "statistics", (".yaml",), "Statistics", written_by="kopa stats import"),
)
BY_NAME = {kind.name: kind for kind in KINDS}
IN_FOLDERS = tuple(kind for kind in KINDS if kind.folder)  # the kinds with a file per record
# `kopa new NOUN`: the kinds people write
NEW_NOUNS = {noun: kind for kind in IN_FOLDERS if kind.written_by is None for noun in (kind.noun, *kind.aliases)}
NOUNS = {noun: kind for kind in KINDS for noun in (kind.noun, *kind.aliases)}  # `kopa schema NOUN`: every kind
