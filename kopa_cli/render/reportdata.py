"""What each report's template receives: the records arranged as tables, pure and without I/O.

Each builder returns a dict of plain values (text, numbers, Decimal money, dates, records,
lists and dicts of them); docs/reports.md lists every key. Templates read them through the
one sandboxed environment (templating.py), which hands them over read-only.

The pilot's ``invoices`` come from the invoice ledger of ``kopa invoice``: None while there
is none, so a template tests it with ``{% if invoices %}``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from kopa_cli.billing import invoicing
from kopa_cli.billing.fees import FeeLine, pilot_fees, totals
from kopa_cli.core.diagnostics import Report, Severity
from kopa_cli.core import formatting
from kopa_cli.core.i18n import N_, _, current_language, ngettext
from kopa_cli.core.money import percent_of
from kopa_cli.core.regions import region_of
from kopa_cli.load.areafigures import AGE_GROUPS, AreaFigures, Figures, FigureSource, area_figures
from kopa_cli.load.records import Organization, Pilot
from kopa_cli.load.workspace import Workspace
from kopa_cli.render.feereport import split_name

STATUS_NAMES = {
    "submitted": N_("submitted"),
    "selected": N_("selected"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}
ORGANIZATION_TYPES = {
    "municipality": N_("municipality"),
    "joint_authority": N_("joint municipal authority"),
    "provider": N_("education provider"),
    "other": N_("other organisation"),
}

# The words the templates print, by key, in the message language. A workspace template
# may use any of them as {{ label.KEY }}.
LABELS = {
    "applications_title": N_("Applications"),
    "application": N_("Application"),
    "pilot_name": N_("Pilot name"),
    "status": N_("Status"),
    "responsible": N_("Responsible organisation and responsible person"),
    "responsible_organisation": N_("Responsible organisation"),
    "responsible_person": N_("Responsible person"),
    "members": N_("Members"),
    "member": N_("Member"),
    "region": N_("Region"),
    "education_forms": N_("Education forms"),
    "goals": N_("The project's goals"),
    "goal": N_("Goal"),
    "length": N_("Length"),
    "over_limit": N_("over the limit"),
    "validates": N_("Validates"),
    "unreadable": N_("Applications whose file could not be read (kopa validate tells why)"),
    "yes": N_("yes"),
    "no": N_("no"),
    "errors": N_("errors"),
    "warnings": N_("warnings"),
    "goal_coverage": N_("Goals × applications"),
    "education_form_coverage": N_("Education forms × applications"),
    "count": N_("Applications"),
    "starter_package": N_("Starter package"),
    "approval": N_("Authorisation and approval"),
    "contacts": N_("Contacts"),
    "role": N_("Role"),
    "name": N_("Name"),
    "organisation": N_("Organisation"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "population_on": N_("Population on 31.12.{year}"),
    "population_source": N_("Population as recorded in the organisation records (records/organizations/)."),
    "area_statistics": N_("Area statistics"),
    "change_from": N_("Change from 31.12.{year}"),
    "ages": N_("Aged {group}"),
    "age_groups_on": N_("Age groups on 31.12.{year}"),
    "age_groups_chart": N_("Age groups per member"),
    "not_a_municipality": N_("not applicable: not a municipality"),
    "no_statistics": N_("No statistics for: {names}"),
    "source": N_("Source"),
    "table": N_("table"),
    "total": N_("Total"),
    "fees_title": N_("Fees"),
    "fee_split": N_("Fee split per year"),
    "fee_year": N_("Fee year"),
    "net": N_("Net (VAT excluded)"),
    "vat": N_("VAT"),
    "vat_rate": N_("VAT rate"),
    "gross": N_("Gross (VAT included)"),
    "share": N_("Share"),
    "fee_shares_chart": N_("Fee shares per member"),
    "population_chart": N_("Population per member"),
    "per_pilot": N_("Per pilot"),
    "per_member": N_("Per member, all pilots and years"),
    "organizer_contact": N_("Organiser's contact"),
    "region_source": N_("Regions: Statistics Finland, classification of municipalities to regions 2020."),
    "joined": N_("joined"),
    "left": N_("left"),
    "rounding_difference": N_("VAT rounding difference"),
    "invoices": N_("Invoices"),
    "number": N_("Number"),
    "date": N_("Date"),
}
# An entry of the invoice ledger: owed, wholly credited, or a credit note (as `kopa invoice list` says).
INVOICE_STATES = {"open": N_("open"), "credited": N_("credited"), "credit_note": N_("credit note")}


def labels() -> dict[str, str]:
    """Every label in the message language."""
    return {key: _(text) for key, text in LABELS.items()}


def common(workspace: Workspace, output_format: str) -> dict[str, Any]:
    """What every report receives: ``call``, ``call_title`` (in the report's language, else
    Finnish), ``lang``, ``format`` ("md", "html"), ``label``."""
    lang = current_language()
    title = workspace.call.title if workspace.call else None
    call_title = (getattr(title, lang, None) or title.fi) if title else ""
    return {"call": workspace.call, "call_title": call_title, "lang": lang, "format": output_format, "label": labels()}


def _org_name(workspace: Workspace, org_id: str | None) -> str:
    org = workspace.organizations.get(org_id or "")
    return org.name if org else (org_id or "")


def _region_name(org: Organization | None) -> str | None:
    region = region_of(org.municipality_code) if org else None
    return region.name(current_language()) if region else None


# -- applications ----------------------------------------------------------------------------


def applications(workspace: Workspace, report: Report) -> dict[str, Any]:
    """``applications`` (one row each, by id), ``goal_coverage``, ``education_form_coverage``,
    ``limit``: the selection meeting's overview. ``report`` is ``validation.check``'s."""
    call = workspace.call
    problems: dict[str, list[int]] = {}
    for problem in report.diagnostics:
        counts = problems.setdefault(problem.path, [0, 0])
        counts[0 if problem.severity == Severity.ERROR else 1] += 1
    rows = []
    for app_id in sorted(workspace.applications):
        app = workspace.applications[app_id]
        path = app.origin.path
        errors, warnings = problems.get(path, (0, 0))
        responsible = app.responsible
        # A record with errors has None where a value was refused: the row shows what there is.
        member_ids = [m for m in app.members or () if m is not None]
        members = [{"id": m, "name": _org_name(workspace, m)} for m in member_ids]
        regions = sorted({r for m in member_ids if (r := _region_name(workspace.organizations.get(m)))})
        length = report.lengths.get(path, 0)
        rows.append({
            "id": app_id,
            "path": path,
            "name": app.name or app_id,
            "status": app.status,
            "status_name": _(STATUS_NAMES[app.status]) if app.status in STATUS_NAMES else "–",
            "submitted": app.submitted,
            "responsible_organisation": {"id": responsible.organization, "name": _org_name(workspace, responsible.organization)} if responsible and responsible.organization else None,
            "responsible_person": responsible.person if responsible and responsible.person else None,
            "members": members,
            "regions": regions,
            "education_forms": [form for form in app.education_forms or () if form is not None],
            "goals": sorted(goal for goal in app.goals or () if isinstance(goal, int)),
            "length": length,
            "over_limit": report.limit is not None and length > report.limit,
            "errors": errors,
            "warnings": warnings,
            "errors_text": ngettext("{n} error", "{n} errors", errors).format(n=formatting.number(errors)),
            "warnings_text": ngettext("{n} warning", "{n} warnings", warnings).format(n=formatting.number(warnings)),
            "validates": errors == 0,
        })
    goals = dict(call.goals) if call else {}
    forms = list(call.education_forms) if call else []
    unreadable = [
        {"id": app_id, "path": path, "errors": problems.get(path, (0, 0))[0]}
        for app_id, path in sorted(workspace.unreadable.get("applications", {}).items())
        if app_id not in workspace.applications
    ]
    return {
        "applications": rows,
        "unreadable": unreadable,
        "limit": report.limit,
        "goal_coverage": _coverage(rows, "goals", [(number, text) for number, text in sorted(goals.items())]),
        "education_form_coverage": _coverage(rows, "education_forms", [(form, form) for form in forms]),
    }


def _coverage(rows: list[dict[str, Any]], field: str, items: Iterable[tuple[Any, str]]) -> dict[str, Any]:
    """Which applications name which goal or education form: ``columns`` (``key``, ``text``,
    ``count`` of applications) and ``rows`` (per application ``id``, ``name``, ``marks``: true or
    false per column). Applications are the rows, so that the table stays readable for many."""
    columns = [{"key": key, "text": text} for key, text in items]
    marked = [{"id": row["id"], "name": row["name"], "marks": [column["key"] in row[field] for column in columns]} for row in rows]
    for index, column in enumerate(columns):
        column["count"] = sum(row["marks"][index] for row in marked)
    return {"columns": columns, "rows": marked}


# -- fees ------------------------------------------------------------------------------------


def _amounts(net: Decimal, vat: Decimal) -> dict[str, Decimal]:
    return {"net": net, "vat": vat, "gross": net + vat}


def fee_years(workspace: Workspace, lines: list[FeeLine]) -> list[dict[str, Any]]:
    """One pilot's lines by fee year: ``year``, ``vat_rate``, ``lines`` (member, name, net,
    vat, gross), the year's ``net``, ``vat``, ``gross`` and ``rounding_difference``."""
    years = []
    for pilot_year in totals(lines).pilot_years:
        year_lines = [line for line in lines if line.year == pilot_year.year]
        years.append({
            "year": pilot_year.year,
            "vat_rate": pilot_year.vat_rate,
            "lines": [{"member": line.member, "name": _org_name(workspace, line.member), **_amounts(line.net, line.vat)} for line in year_lines],
            **_amounts(pilot_year.amounts.net, pilot_year.amounts.vat),
            "rounding_difference": pilot_year.vat_rounding_difference,
        })
    return years


def member_totals(workspace: Workspace, lines: list[FeeLine]) -> list[dict[str, Any]]:
    """Each member's sum over ``lines`` (member order of the lines) with its ``share`` (percent
    of the net total, one decimal)."""
    summed = totals(lines)
    order = list(dict.fromkeys(line.member for line in lines))
    return [
        {"member": member, "name": _org_name(workspace, member), **_amounts(summed.members[member].net, summed.members[member].vat),
         "share": percent_of(summed.members[member].net, summed.grand.net)}
        for member in order
    ]


def fees(workspace: Workspace, lines: list[FeeLine]) -> dict[str, Any]:
    """``pilots`` (id, name, split, years, members, total), ``members`` (over all pilots) and
    ``total``: the fee table as a document."""
    pilots = []
    for pilot_id in sorted(workspace.pilots):
        pilot = workspace.pilots[pilot_id]
        own = [line for line in lines if line.pilot == pilot_id]
        grand = totals(own).grand
        pilots.append({
            "id": pilot_id,
            "name": workspace.pilot_name(pilot) or pilot.id,
            "split": split_name(workspace, pilot),
            "years": fee_years(workspace, own),
            "members": member_totals(workspace, own),
            "total": _amounts(grand.net, grand.vat),
        })
    grand = totals(lines).grand
    by_member = sorted(member_totals(workspace, lines), key=lambda row: row["member"])
    return {"pilots": pilots, "members": by_member, "total": _amounts(grand.net, grand.vat)}


# -- pilot -----------------------------------------------------------------------------------


def population_year(workspace: Workspace, pilot: Pilot) -> int | None:
    """The year whose population the report shows: the pilot's ``population_year``, else the
    latest year any member has a population for."""
    if pilot.population_year is not None:
        return pilot.population_year
    organizations = [workspace.organizations[m.org] for m in pilot.members if m.org in workspace.organizations]
    return max((year for org in organizations for year in org.population), default=None)


def _statistics(figures: Figures) -> dict[str, Any]:
    """One row of the area statistics table: ``population`` (people on 31.12. of ``year``),
    ``change`` (from the year before), ``ages`` (people per group of AGE_GROUPS, in order),
    each None where unknown."""
    population = figures.population
    ages = {(group.first, group.last): group.people for group in figures.age_groups}
    return {
        "code": figures.code,
        "year": population.year if population else None,
        "population": population.people if population else None,
        "change": population.change if population else None,
        "ages": [ages.get(group) for group in AGE_GROUPS],
        "age_year": figures.age_groups[0].source.year if figures.age_groups else None,
    }


def _sources(figures: AreaFigures) -> list[FigureSource]:
    """The sources of every figure shown, each once, in the order first met."""
    found = []
    for part in (*figures.members, figures.total):
        for source in ([part.population.source] if part.population else []) + [group.source for group in part.age_groups]:
            if source not in found:
                found.append(source)
    return [dataclasses.replace(source, publisher=publisher_name(source.publisher)) for source in found]


# A statistics record's ``source`` as written by `kopa stats import` or by hand, in any of
# the publisher's own languages: shown in the message language, the record left as it is.
_PUBLISHERS = {name: N_("Statistics Finland") for name in ("Tilastokeskus", "Statistikcentralen", "Statistics Finland")}


def publisher_name(publisher: str) -> str:
    """A known publisher's name in the message language ("Tilastokeskus" -> "Statistikcentralen"
    in Swedish); any other name as it is written."""
    known = _PUBLISHERS.get(publisher.strip())
    return _(known) if known else publisher


def _area(workspace: Workspace, members: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The pilot area's statistics (docs/reports.md, ``area``), and each municipality
    member's ``statistics`` row set in ``members``; None, with no row set, when no
    statistics record gives a figure for any member."""
    municipalities = [member for member in members if member["municipality_code"]]
    figures = area_figures(workspace, [member["municipality_code"] for member in municipalities])
    if not municipalities or (len(figures.missing) == len(figures.members) and not any(f.age_groups for f in figures.members)):
        return None
    by_code = {f.code: f for f in figures.members}
    for member in municipalities:
        member["statistics"] = _statistics(by_code[member["municipality_code"].removeprefix("KU")])
    rows = [member["statistics"] for member in municipalities]
    age_year = next((row["age_year"] for row in rows if row["age_year"] is not None), None)
    year = next((row["year"] for row in rows if row["year"] is not None), age_year)
    return {
        "year": year,
        "age_year": age_year,
        "age_groups": [f"{first}\u2013{last}" for first, last in AGE_GROUPS],
        "total": _statistics(figures.total),
        "missing": [{"id": m["id"], "name": m["name"], "code": m["municipality_code"]} for m in municipalities if m["statistics"]["population"] is None],
        "not_applicable": [{"id": m["id"], "name": m["name"]} for m in members if not m["municipality_code"]],
        "sources": _sources(figures),
    }


def pilot(workspace: Workspace, pilot_id: str) -> dict[str, Any]:
    """One pilot's starter package: ``pilot``, ``members``, ``contacts``, ``population``,
    ``fees`` (``years``, ``members``, ``total``), ``area`` (the imported area statistics, or
    None without any for the members) and ``invoices`` (its entries in the invoice ledgers; None without a ledger).
    The workspace must be valid (``validation.check``)."""
    call = workspace.call
    record = workspace.pilots[pilot_id]
    lines = pilot_fees(call, record, workspace.organizations) if call else []
    year = population_year(workspace, record)
    shares = {row["member"]: row for row in member_totals(workspace, lines)}
    members = []
    for member in record.members:
        org = workspace.organizations.get(member.org)
        population = org.population.get(year) if org and year is not None else None
        members.append({
            "id": member.org,
            "name": org.name if org else member.org,
            "type": _(ORGANIZATION_TYPES[org.type]) if org else "",
            "municipality_code": org.municipality_code if org else None,
            "region": _region_name(org),
            "approval": member.approval,
            "buyer_reference": member.buyer_reference,
            "joined": member.joined,
            "left": member.left,
            "billing_email": org.billing_email if org else None,
            "population": population,
            "population_by_year": dict(sorted(org.population.items())) if org else {},
            "fee": shares.get(member.org),
            "statistics": None,
        })
    counted = [m["population"] for m in members if m["population"] is not None]
    area = _area(workspace, members)
    app = workspace.applications.get(record.application or "")
    responsible = record.responsible or (app.responsible if app else None)
    grand = totals(lines).grand
    return {
        "pilot": {
            "id": record.id,
            "name": workspace.pilot_name(record) or record.id,
            "application": {"id": app.id, "name": app.name or app.id} if app else None,
            "responsible_organisation": {"id": responsible.organization, "name": _org_name(workspace, responsible.organization)} if responsible else None,
            "responsible_person": responsible.person if responsible else None,
            "split": split_name(workspace, record),
            "years": list(record.fee_years(call)),
        },
        "members": members,
        "contacts": _contacts(workspace, responsible, app),
        "population": {"year": year, "total": sum(counted) if counted else None, "members_counted": len(counted)},
        "fees": {"years": fee_years(workspace, lines), "members": list(shares.values()), "total": _amounts(grand.net, grand.vat)},
        "area": area,
        "invoices": _invoices(workspace, record.id),
    }


def _invoices(workspace: Workspace, pilot_id: str) -> list[dict[str, Any]] | None:
    """The pilot's invoices and credit notes in the ledgers records/invoices/<year>.yaml, in
    ledger order: ``number``, ``date``, ``due``, ``fee_year``, ``member`` (id), ``name`` (the
    buyer's), ``net``, ``vat``, ``total`` (euros, a credit note's negative), ``state`` (open,
    credited, credit_note) and ``state_name``, ``credits`` (the invoice a credit note corrects)
    and ``reason``; None while there is no ledger."""
    if not workspace.ledgers:
        return None
    all_entries = invoicing.entries(workspace.ledgers)
    owed = {entry.number for entry in invoicing.live(all_entries)}
    rows = []
    for entry in all_entries:
        if entry.pilot != pilot_id:
            continue
        state = "credit_note" if entry.kind == invoicing.CREDIT_NOTE else "open" if entry.number in owed else "credited"
        rows.append({
            "number": entry.number, "date": entry.date, "due": entry.due, "fee_year": entry.fee_year,
            "member": entry.member, "name": entry.buyer.name, "net": entry.net, "vat": entry.vat, "total": entry.total,
            "state": state, "state_name": _(INVOICE_STATES[state]), "credits": entry.credits, "reason": entry.reason,
        })
    return rows


def _contacts(workspace: Workspace, responsible: Any, app: Any) -> list[dict[str, Any]]:
    """The pilot's responsible person, the application's (when another), and the organiser's."""
    contacts = []
    label = _(LABELS["responsible_person"])
    if responsible is not None:
        contacts.append({"role": label, "organisation": _org_name(workspace, responsible.organization), "person": responsible.person})
    if app is not None and app.responsible is not None and (responsible is None or app.responsible.person.name != responsible.person.name):
        contacts.append({"role": label, "organisation": _org_name(workspace, app.responsible.organization), "person": app.responsible.person})
    organizer = workspace.call.organizer if workspace.call else None
    for person in organizer.contacts if organizer else ():
        contacts.append({"role": _(LABELS["organizer_contact"]), "organisation": organizer.name, "person": person})
    return contacts


def pilot_ids(workspace: Workspace) -> list[str]:
    return sorted(workspace.pilots)
