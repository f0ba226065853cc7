"""kopa fees: each member's share of each pilot's fee, or how a change to the records changes it."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from kopa_cli.core import files, formatting, oserrors
from kopa_cli.render import feereport
from kopa_cli.core.diagnostics import suggest
from kopa_cli.core.errors import (CannotCreate, CompareFormat, ExitCode, NotAFeeYear, OutNeedsWorkbook, RecordsHaveErrors,
                                  RevisionHasErrors, UnknownMember, UnknownPilot)
from kopa_cli.billing.fees import FeeLine, compare, compute_fees, select
from kopa_cli.core.i18n import _, ngettext
from kopa_cli.load.workspace import Workspace, load_workspace
from .common import console, load, refuse_on_errors

MAX_NOTES = 10  # notes beside a CSV; more would bury a terminal
DEFAULT_WORKBOOK = Path("out") / "fees.xlsx"  # --format xlsx without --out: in the workspace


def _check_filters(shown: feereport.Shown, *workspaces: Workspace) -> None:
    """A filter naming nothing that exists is a mistake (exit 2); one that matches no line is not.

    A pilot, a year or an organisation exists when it does in any of ``workspaces`` (a compare
    may name what exists only at the revision). The fee years are every pilot's ``fee_years``.
    """
    pilots = {pilot for workspace in workspaces for pilot in workspace.pilots}
    organizations = {org for workspace in workspaces for org in workspace.organizations}
    if shown.pilot is not None and shown.pilot not in pilots:
        raise UnknownPilot(value=shown.pilot, hint=suggest(shown.pilot, pilots))
    if shown.member is not None and shown.member not in organizations:
        raise UnknownMember(value=shown.member, hint=suggest(shown.member, organizations))
    if shown.year is not None:
        years = sorted({year for workspace in workspaces for pilot in workspace.pilots.values()
                        for year in pilot.fee_years(workspace.call)})
        if shown.year not in years:
            raise NotAFeeYear(year=str(shown.year), years=", ".join(map(str, years)) or "–")


def _names(*workspaces: Workspace) -> dict[str, str]:
    """Each organisation's name by id; the first workspace's name wins."""
    return {org_id: org.name for workspace in reversed(workspaces) for org_id, org in workspace.organizations.items()}


def _titles(workspace: Workspace) -> dict[str, str]:
    """A heading per pilot: its id, its name and how its fee is split."""
    titles = {}
    for pilot in workspace.pilots.values():
        how = feereport.split_name(workspace, pilot)
        titles[pilot.id] = " – ".join(filter(None, (pilot.id, workspace.pilot_name(pilot)))) + f" ({how})"
    return titles


def _show(lines: list[FeeLine], workspace: Workspace, output_format: str, shown: feereport.Shown) -> None:
    if output_format == "json":
        feereport.as_json(lines, sys.stdout)
    elif output_format == "csv":
        feereport.as_csv(lines, sys.stdout)
        # CSV stays pure data for spreadsheets; the rounding differences go beside it.
        notes = feereport.notes(lines) if shown.member is None else []
        for note in notes[:MAX_NOTES]:
            sys.stderr.write(_("note: {note}").format(note=note) + "\n")
        if len(notes) > MAX_NOTES:
            count = len(notes) - MAX_NOTES
            more = ngettext(
                "note: {count} more pilot-year has a VAT rounding difference; --format table or md shows each.",
                "note: {count} more pilot-years have a VAT rounding difference; --format table or md shows each.",
                count,
            )
            sys.stderr.write(more.format(count=formatting.number(count)) + "\n")
    elif output_format == "md":
        feereport.as_markdown(lines, _titles(workspace), shown, sys.stdout)
    else:
        feereport.as_table(lines, _titles(workspace), shown, console())


def _compare(root: Path, workspace: Workspace, lines: list[FeeLine], revision: str, output_format: str,
             shown: feereport.Shown) -> int:
    from kopa_cli.load.gitsource import GitSource

    if output_format not in ("table", "md"):
        raise CompareFormat()
    source = GitSource.open(root, revision)
    before = load_workspace(None, source)
    refuse_on_errors(before, RevisionHasErrors(revision=revision))
    before_lines = compute_fees(before)
    _check_filters(shown, workspace, before)
    shown = replace(shown, names=_names(workspace, before))
    comparison = compare(select(before_lines, shown.pilot, shown.year, shown.member),
                         select(lines, shown.pilot, shown.year, shown.member))
    before_label = f"{revision} ({source.commit[:7]})"
    after_label = _("the current files")
    if output_format == "md":
        feereport.comparison_markdown(comparison, before_label, after_label, shown, sys.stdout)
    else:
        feereport.comparison_table(comparison, before_label, after_label, shown, console())
    return ExitCode.OK


def _write_workbook(lines: list[FeeLine], workspace: Workspace, path: Path) -> None:
    try:
        feereport.as_workbook(lines, workspace.organizations, path)
    except OSError as error:
        raise CannotCreate(path=files.shown(path), reason=oserrors.reason(error)) from None
    sys.stdout.write(_("The fee table is in {path}.").format(path=files.shown(path)) + "\n")


def run(root: Path, lang: str | None, pilot: str | None, year: int | None, member: str | None,
        output_format: str, compare_with: str | None, use_cache: bool = True, out: Path | None = None) -> int:
    if out is not None and output_format != "xlsx":
        raise OutNeedsWorkbook()
    workspace = load(root, lang, use_cache)
    refuse_on_errors(workspace, RecordsHaveErrors())
    lines = compute_fees(workspace)
    shown = feereport.Shown(pilot, year, member)
    if compare_with is not None:
        return _compare(root, workspace, lines, compare_with, output_format, shown)
    _check_filters(shown, workspace)
    if output_format == "xlsx":
        _write_workbook(select(lines, pilot, year, member), workspace, out or root / DEFAULT_WORKBOOK)
        return ExitCode.OK
    _show(select(lines, pilot, year, member), workspace, output_format, replace(shown, names=_names(workspace)))
    return ExitCode.OK
