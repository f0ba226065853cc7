"""kopa fmt: rewrite the records in their canonical layout (docs/records.md, "Canonical layout").

Files are found as `kopa validate` finds them; the invoice ledger (records/invoices/) is never
touched: its entries are append-only; nor are the other files kopa writes itself (statistics). A file kopa cannot read is left as it is and reported;
so is one whose canonical form would read differently (a bug). Writes are atomic.
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

from kopa_cli.core.diagnostics import Report, escaped, sort_diagnostics
from kopa_cli.core.errors import ExitCode
from kopa_cli.core.files import replace
from kopa_cli.core.i18n import LANGUAGES, _, ngettext
from kopa_cli.load.kinds import BY_NAME, CALL_PATH, RECORDS
from kopa_cli.load import cache
from kopa_cli.load.recordfiles import DirectorySource, content_key, read_records
from kopa_cli.load.workspace import in_workers
from kopa_cli.load.yamlparse import parse_yaml
from kopa_cli.render.canonical import Formatted, format_record
from kopa_cli.render.reporters import text as text_report
from .common import follow_call_language, selector

NEVER_FORMATTED = (f"{RECORDS}/invoices/",)  # the invoice ledger: append-only, byte for byte
# Nor are other files kopa writes itself (load/kinds.py, written_by): statistics are laid out by
# kopa stats import, which keeps long tables of figures readable in a way this layout does not.


def _call_language(files: list[tuple[str, str, bytes]]) -> str | None:
    """The call's language, the default of messages (as in `kopa validate`)."""
    for _kind, path, data in files:
        if path == CALL_PATH:
            parsed = parse_yaml(data.decode("utf-8-sig", errors="replace"), path)[0]
            language = parsed.get("language") if isinstance(parsed, dict) else None
            return language if language in LANGUAGES else None
    return None


def _format(kind: str, path: str, data: bytes) -> Formatted:
    return format_record(BY_NAME[kind].record, path, data)


def _diff(path: str, before: bytes, after: bytes) -> str:
    old, new = (data.decode("utf-8-sig").replace("\r\n", "\n").splitlines(keepends=True) for data in (before, after))
    return "".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))


def _remember(known: cache.CanonicalCache, keys: list[str], results: list[tuple[str, bytes, Formatted]], written: list[tuple[str, bytes]]) -> None:
    """Keep the content keys of this run's canonical files: found so, or written so."""
    for key, (_path, data, result) in zip(keys, results):
        if result.data == data:
            known.add(key)
    for path, data in written:
        known.add(content_key(path, data))
    known.save()


def _summary(changed: int, total: int, unreadable: int, dry: bool) -> str:
    if dry:
        summary = ngettext("{changed} of {total} record file would be reformatted", "{changed} of {total} record files would be reformatted", total)
    else:
        summary = ngettext("{changed} of {total} record file reformatted", "{changed} of {total} record files reformatted", total)
    text = summary.format(changed=changed, total=total)
    if unreadable:
        left = ngettext("; {n} left as it is: kopa cannot read it (see above)", "; {n} left as they are: kopa cannot read them (see above)", unreadable)
        text += left.format(n=unreadable)
    return text + "\n"


def run(root: Path, paths: list[Path], lang: str | None, check: bool, diff: bool, use_cache: bool = True) -> int:
    """Format the records under ``paths`` (all when empty); with ``check`` or ``diff`` write
    nothing. Exit 1 if a file cannot be read or, with ``check``, would change; 3 if a file's
    canonical form would read differently (a bug)."""
    only = selector(root, paths)
    files = [
        (kind, path, data)
        for kind, path, data in read_records(DirectorySource(root)).files
        if only(path) and not path.startswith(NEVER_FORMATTED) and BY_NAME[kind].written_by is None
    ]
    follow_call_language(lang, _call_language(files))
    known = cache.CanonicalCache(root) if use_cache and not os.environ.get("KOPA_NO_CACHE") else None
    keys = [content_key(path, data) for _, path, data in files]
    todo = [i for i, key in enumerate(keys) if known is None or key not in known]
    formatted = dict(zip(todo, in_workers(_format, [files[i] for i in todo])))  # on every core: ruamel.yaml is slow
    results = [(path, data, formatted.get(i) or Formatted(data)) for i, (_kind, path, data) in enumerate(files)]
    out, notes = sys.stdout, sys.stderr  # the diff or the files on standard output; the rest beside it
    changed = [(path, data, result.data) for path, data, result in results if result.data is not None and result.data != data]
    written: list[tuple[str, bytes]] = []
    for path, before, after in changed:
        if diff:
            out.write(_diff(path, before, after))
        elif check:
            out.write(_("would reformat {path}").format(path=escaped(path)) + "\n")
        else:
            replace(root / path, after)
            written.append((path, after))
            out.write(_("reformatted {path}").format(path=escaped(path)) + "\n")
    if known is not None:
        _remember(known, keys, results, written)

    problems = sort_diagnostics([problem for _path, _data, result in results for problem in result.problems])
    unreadable = sorted({problem.path for problem in problems})
    if problems:
        text_report(Report(files=tuple(unreadable), diagnostics=tuple(problems), lengths={}, limit=None), notes, color=False, lengths=False)
    broken = [path for path, _data, result in results if result.broken]
    for path in broken:
        notes.write(_("{path}: its canonical layout would read as different data, so it was left as it is. "
                    "This is a bug in kopa; please report it with the file.").format(path=escaped(path)) + "\n")
    notes.write(_summary(len(changed), len(results), len(unreadable), check or diff))
    if broken:
        return ExitCode.BUG
    if unreadable or (check and changed):
        return ExitCode.PROBLEMS
    return ExitCode.OK
