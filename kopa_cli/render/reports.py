"""Reports: which there are, and turning one into Markdown, HTML or PDF.

A report is a template pair ``reports/NAME.md.j2`` and ``reports/NAME.html.j2``, built in
(templates/reports/) or in the workspace's own templates/reports/, which overrides a built-in
one of the same name and may add new ones. A file whose name starts with ``_`` (the HTML
layout ``_layout.html.j2``) is a part, not a report. A template's first line may be a
Jinja comment, ``{# One line that describes the report #}``: ``kopa report --list`` shows it.
The rendering itself is templating.render, the one sandboxed environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kopa_cli.core.errors import PdfUnavailable
from kopa_cli.core.i18n import N_, _
from kopa_cli.render import templating

FOLDER = "reports"
TEXT_FORMATS = ("md", "html")
FORMATS = (*TEXT_FORMATS, "pdf")

# The built-in reports and what each is for, as `kopa report --list` shows them.
BUILTIN = {
    "applications": N_("every application for the selection meeting: status, members, region, goals, length, validity; goals and education forms × applications"),
    "fees": N_("the fee table as a document: each pilot's fee per year and per member, and each member's total"),
    "pilot": N_("one pilot's starter package (--pilot ID): members and approvals, area statistics, fee split per year, contacts"),
}
_DESCRIPTION = re.compile(r"\A\s*\{#-?\s*(.+?)\s*-?#\}")


@dataclass(frozen=True)
class ReportInfo:
    name: str
    description: str
    workspace: bool  # the workspace has its own template of this name
    formats: tuple[str, ...]  # the text formats it has a template for


def template_name(name: str, output_format: str) -> str:
    """``reports/NAME.md.j2``, or ``.html.j2`` for HTML and PDF."""
    return f"{FOLDER}/{name}.{'md' if output_format == 'md' else 'html'}.j2"


def _templates(root: Path) -> dict[str, dict[str, Path]]:
    """Report name -> text format -> template file, in one templates folder."""
    found: dict[str, dict[str, Path]] = {}
    folder = root / FOLDER
    for path in sorted(folder.glob("*.j2")) if folder.is_dir() else ():
        name, _dot, kind = path.name.removesuffix(".j2").rpartition(".")
        if name and not name.startswith("_") and kind in TEXT_FORMATS:
            found.setdefault(name, {})[kind] = path
    return found


def _description(path: Path) -> str | None:
    match = _DESCRIPTION.match(path.read_text(encoding="utf-8", errors="replace"))
    return " ".join(match.group(1).split()) if match else None


def available(workspace: Path | None) -> list[ReportInfo]:
    """Every report, built-in and the workspace's, by name."""
    builtin = _templates(templating.builtin_templates())
    folder = workspace / templating.WORKSPACE_TEMPLATES if workspace is not None else None
    # kopa's own source checkout is a workspace whose templates/ are the built-in ones
    own = _templates(folder) if folder is not None and folder.resolve() != templating.builtin_templates().resolve() else {}
    reports = []
    for name in sorted(builtin.keys() | own.keys()):
        files = {**builtin.get(name, {}), **own.get(name, {})}
        described = next(filter(None, (_description(own[name][kind]) for kind in TEXT_FORMATS if kind in own.get(name, {}))), None)
        description = described or (_(BUILTIN[name]) if name in BUILTIN else "")
        reports.append(ReportInfo(name, description, name in own, tuple(kind for kind in TEXT_FORMATS if kind in files)))
    return reports


def render(workspace: Path | None, name: str, output_format: str, lang: str, context: dict[str, Any]) -> str:
    """The report's text (Markdown, or HTML for ``html`` and ``pdf``); raises TemplateFailed."""
    template = templating.for_language(workspace, template_name(name, output_format), lang)
    return templating.render(workspace, template, **context)


def pdf(html: str) -> bytes:
    """The HTML printed to PDF by WeasyPrint (the optional extra ``pdf``): A4, as the HTML's
    ``@page`` rule says; nothing outside the HTML is loaded. Raises PdfUnavailable when
    WeasyPrint or its Pango library is missing."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:  # OSError: WeasyPrint is there, the Pango library is not
        raise PdfUnavailable(detail=f"{type(error).__name__}: {error}") from None

    # A report is one self-contained file, and its template may come from a pull request:
    # nothing is read from the network or the disk (file:///...), only data: URLs.
    return weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def pilot_charts(context: dict[str, Any]) -> dict[str, Any]:
    """The pilot report's charts as inline SVG: ``fee_shares`` (each member's net fee over the
    pilot's years), ``population`` (per member: the area statistics when the report has them,
    else the organisation records) and ``age_groups`` (per member and age group, from the area
    statistics); each None when it has no bars."""
    from kopa_cli.render.charts import bar_chart

    label = context["label"]
    number = templating.FILTERS["number"]
    shares = [(row["name"], row["net"]) for row in context["fees"]["members"]]
    area = context["area"]
    if area:
        rows = [(member["name"], member["statistics"]) for member in context["members"] if member["statistics"]]
        people = [(name, row["population"]) for name, row in rows if row["population"] is not None]
        year = area["year"]
        ages = [(f"{name}, {group}", count) for name, row in rows for group, count in zip(area["age_groups"], row["ages"]) if count is not None]
    else:
        people = [(member["name"], member["population"]) for member in context["members"] if member["population"] is not None]
        year = context["population"]["year"]
        ages = []
    return {
        "fee_shares": bar_chart("fee-shares", label["fee_shares_chart"], shares, templating.FILTERS["money"]) if shares else None,
        "population": bar_chart("population", f"{label['population_chart']} (31.12.{year})", people, number) if people else None,
        "age_groups": bar_chart("age-groups", f"{label['age_groups_chart']} (31.12.{area['age_year']})", ages, number) if ages else None,
    }
