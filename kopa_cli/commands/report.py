"""kopa report: a built-in or workspace report as Markdown, HTML or PDF; --list shows them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from kopa_cli.core import oserrors
from kopa_cli.core.diagnostics import Report, suggest
from kopa_cli.core.errors import (CannotCreate, ExitCode, PdfNeedsOut, PilotRequired, RecordsHaveErrors,
                                  ReportFormatMissing, UnknownPilot, UnknownReport, WorkspaceNotFound)
from kopa_cli.core.files import replace, shown
from kopa_cli.core.i18n import _, current_language
from kopa_cli.load.workspace import Workspace
from kopa_cli.render import reportdata, reports
from .common import load_with_report, refuse_on_errors, workspace_root

# What the built-in reports are about, beyond what every report receives.
NEEDS_PILOT = {"pilot"}


def list_reports(root: Path | None) -> int:
    """One line per report: its name, where its template is, and what it shows."""
    infos = reports.available(root)
    width = max(len(info.name) for info in infos)
    for info in infos:
        where = _("workspace") if info.workspace else _("built-in")
        sys.stdout.write(f"{info.name:<{width}}  [{where}, {'/'.join(info.formats)}]  {info.description}\n")
    return ExitCode.OK


def context(workspace: Workspace, report: Report, name: str, pilot: str | None, output_format: str) -> dict[str, Any]:
    """What the report ``name`` receives (docs/reports.md): the built-in's own variables, or, for
    a report of the workspace's own, the applications' and the fees' (and the pilot's with --pilot).
    ``report`` is ``validation.check(workspace)``."""
    values = reportdata.common(workspace, "html" if output_format == "pdf" else output_format)
    known = name in reports.BUILTIN
    if name in NEEDS_PILOT and pilot is None:
        raise PilotRequired(name=name, pilots=", ".join(reportdata.pilot_ids(workspace)) or "–")
    if pilot is not None and pilot not in workspace.pilots:
        raise UnknownPilot(value=pilot, hint=suggest(pilot, workspace.pilots))
    if not known or name == "applications":
        values.update(reportdata.applications(workspace, report))
    if name == "applications":
        return values
    # Fees need valid records, as `kopa fees` does: the problems go to stderr.
    refuse_on_errors(workspace, RecordsHaveErrors(), report)
    if not known or name == "fees":
        from kopa_cli.billing.fees import compute_fees

        values.update(reportdata.fees(workspace, compute_fees(workspace)))
    if pilot is not None and (not known or name == "pilot"):
        values.update(reportdata.pilot(workspace, pilot))
        values["charts"] = reports.pilot_charts(values) if values["format"] == "html" else None
    return values


def _format(output_format: str | None, out: Path | None) -> str:
    """--format, else the --out file's suffix (.md, .html, .pdf), else Markdown."""
    if output_format is not None:
        return output_format
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    return {"htm": "html", "markdown": "md"}.get(suffix, suffix) if suffix in (*reports.FORMATS, "htm", "markdown") else "md"


def _listed_root(option: Path | None) -> Path | None:
    """The workspace whose reports --list shows too; outside any workspace, none (only the built-in ones)."""
    try:
        return workspace_root(option)
    except WorkspaceNotFound:
        return None


def run(option: Path | None, lang: str | None, name: str | None, pilot: str | None, output_format: str | None,
        out: Path | None, listing: bool, use_cache: bool = True) -> int:
    """``option``: --workspace, if given (else KOPA_WORKSPACE, else found from here up)."""
    if listing or name is None:
        return list_reports(_listed_root(option))
    root = workspace_root(option)
    infos = {info.name: info for info in reports.available(root)}
    if name not in infos:
        raise UnknownReport(name=name, names=", ".join(infos))
    chosen = _format(output_format, out)
    text_format = "md" if chosen == "md" else "html"
    if text_format not in infos[name].formats:
        raise ReportFormatMissing(name=name, format=text_format, formats=", ".join(infos[name].formats))
    if chosen == "pdf" and out is None:
        raise PdfNeedsOut()
    workspace, report = load_with_report(root, lang, use_cache)
    text = reports.render(root, name, chosen, current_language(), context(workspace, report, name, pilot, chosen))
    data = reports.pdf(text) if chosen == "pdf" else text.encode("utf-8")
    if out is None:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        replace(out, data)
    except OSError as error:
        raise CannotCreate(path=shown(out), reason=oserrors.reason(error)) from None
    sys.stderr.write(_("Wrote {path}").format(path=shown(out)) + "\n")
    return ExitCode.OK
