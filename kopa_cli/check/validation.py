"""The rules a workspace must follow beyond the shape of each record.

Each rule is a small pure function from the workspace to diagnostics, registered in
``RULES``. docs/rules.md gives each code's rationale and fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Callable

from kopa_cli.check import readiness
from kopa_cli.check import statistics
from kopa_cli.check.dependencies import record_keys
from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, Figure, Msg, Plural, Report, Severity, diagnostic, sort_diagnostics, suggest
from kopa_cli.core.i18n import N_, N_plural
from kopa_cli.core.money import fee_year_vat_date
from kopa_cli.load.fieldnames import choice, field
from kopa_cli.load.gitsource import LEDGERS
from kopa_cli.load.kinds import BY_NAME
from kopa_cli.load.records import Application, Call, Organization, Pilot, Responsible
from kopa_cli.load.structure import label_of, refused
from kopa_cli.core.textlength import crossing_line
from kopa_cli.load.workspace import Workspace

Rule = Callable[[Workspace], Iterable[Diagnostic]]
_MEMBERS = N_plural("{n} member", "{n} members")


def no_such(ws: Workspace, kind: str, value: str, path: str, position: tuple[int, int]) -> Diagnostic:
    """A reference to no record of ``kind``: a file that could not be read (or is misnamed)
    is named as the cause; else the closest id is offered."""
    unreadable = ws.unreadable.get(kind, {}).get(value)
    if unreadable is not None:
        misnamed = unreadable.rsplit("/", 1)[-1] not in (value + suffix for suffix in BY_NAME[kind].suffixes)
        reason = Msg(N_("whose name is not a valid record file name") if misnamed else N_("which could not be read"))
        return diagnostic(path, position, codes.UNREADABLE_RECORD, value=value, file=unreadable, reason=reason)
    if kind == "organizations":
        return diagnostic(path, position, codes.UNKNOWN_ORGANIZATION, value=value, hint=suggest(value, ws.organizations))
    if kind == "pilots":
        return diagnostic(path, position, codes.UNKNOWN_PILOT, value=value, hint=suggest(value, ws.pilots))
    return diagnostic(path, position, codes.UNKNOWN_APPLICATION, value=value, hint=suggest(value, ws.applications))


def _members_exist(ws: Workspace, record: Application | Pilot, ids: Iterable[str | None], *inner: str) -> Iterator[Diagnostic]:
    """``inner``: the key of the id inside each member item (a pilot's "org")."""
    seen: Counter[str] = Counter()
    for index, org in enumerate(ids):
        if org is None:
            continue
        seen[org] += 1
        if seen[org] == 2:
            yield diagnostic(record.origin.path, record.origin.at("members", index, *inner), codes.DUPLICATE_MEMBER, value=org)
        if org not in ws.organizations:
            yield no_such(ws, "organizations", org, record.origin.path, record.origin.at("members", index, *inner))


def _responsible(ws: Workspace, record: Application | Pilot, members: list[str | None], ids_refused: bool) -> Iterator[Diagnostic]:
    """``ids_refused``: a member id was refused, and may be the one meant."""
    responsible: Responsible | None = record.responsible
    if responsible is None or responsible.organization is None:
        return
    org = responsible.organization
    if org not in ws.organizations:
        yield no_such(ws, "organizations", org, record.origin.path, record.origin.at("responsible", "organization"))
    elif org not in members and not ids_refused:
        yield diagnostic(record.origin.path, record.origin.at("responsible", "organization"), codes.RESPONSIBLE_NOT_MEMBER, value=org)


# Applications


def application_call(ws: Workspace) -> Iterator[Diagnostic]:
    if ws.call is None or ws.call.id is None:
        return
    for app in ws.applications.values():
        if app.call is not None and app.call != ws.call.id:
            yield diagnostic(app.origin.path, app.origin.at("call"), codes.WRONG_CALL, value=app.call, call=ws.call.id)


def required_content(ws: Workspace) -> Iterator[Diagnostic]:
    if ws.call is None:
        return
    for app in ws.applications.values():
        for name in _names(ws.call.required):
            value = getattr(app, name, None)
            if (not value or (isinstance(value, str) and value.isspace())) and not refused(app, name):
                label = Msg(label_of(Application, name))
                yield diagnostic(app.origin.path, app.origin.at(name), codes.REQUIRED_CONTENT, label=label, key=name)


def _names(fields: Iterable[str | None]) -> list[str]:
    """The valid field names of a call's list (an invalid one is reported and left None)."""
    return [name for name in fields if name is not None]


def application_lengths(ws: Workspace) -> dict[str, int]:
    """The counted length of every application, by its path."""
    fields = _names(ws.call.text_fields) if ws.call else ("name", "goal", "plan")
    return {app.origin.path: sum(app.char_counts.get(f, 0) for f in fields) for app in ws.applications.values()}


def length_limit(ws: Workspace) -> Iterator[Diagnostic]:
    if ws.call is None or ws.call.max_chars is None:
        return
    limit = ws.call.max_chars
    for app in ws.applications.values():
        used = 0
        fields = _names(ws.call.text_fields)
        for name in fields:
            count = app.char_counts.get(name, 0)
            if used + count > limit:
                total = sum(app.char_counts.get(f, 0) for f in fields)
                line = crossing_line(getattr(app, name), app.origin.at(name)[0], limit - used)
                yield diagnostic(
                    app.origin.path, (line, 1), codes.TOO_LONG,
                    count=Figure(total), limit=Figure(limit), label=Msg(label_of(Application, name)),
                )
                break
            used += count


def deadline(ws: Workspace) -> Iterator[Diagnostic]:
    if ws.call is None or ws.call.deadline is None:
        return
    for app in ws.applications.values():
        if app.submitted is not None and app.submitted > ws.call.deadline:
            yield diagnostic(
                app.origin.path, app.origin.at("submitted"), codes.LATE,
                submitted=app.submitted, deadline=ws.call.deadline,
            )


def education_forms_and_goals(ws: Workspace) -> Iterator[Diagnostic]:
    if ws.call is None:
        return
    # a refused form of the call or of the application is reported once, where it is written
    forms = [] if refused(ws.call, "education_forms") else list(ws.call.education_forms or ())
    goals = [] if refused(ws.call, "goals") else sorted(ws.call.goals or {})
    for app in ws.applications.values():
        for index, form in enumerate(app.education_forms):
            if form is not None and forms and form not in forms and not refused(app, "education_forms", index):
                yield diagnostic(
                    app.origin.path, app.origin.at("education_forms", index), codes.UNKNOWN_EDUCATION_FORM,
                    value=form, choices=forms, hint=suggest(form, forms),
                )
        for index, goal in enumerate(app.goals):
            if goal is not None and goals and goal not in goals:
                yield diagnostic(app.origin.path, app.origin.at("goals", index), codes.UNKNOWN_GOAL, value=goal, choices=goals)
        yield from _repeats(app, ("education_forms",), app.education_forms)
        yield from _repeats(app, ("goals",), app.goals)


def _repeats(record: Call | Application | Pilot, key: tuple[str, ...], values: Iterable[object]) -> Iterator[Diagnostic]:
    """Each value listed again in the list at ``key``, pointed at the repeat (not the list)."""
    seen: set[object] = set()
    for index, value in enumerate(values):
        if value is not None and value in seen:
            written = record.origin.as_written((*key, index), value)  # 0x7E4, not 2020
            yield diagnostic(record.origin.path, record.origin.at(*key, index), codes.DUPLICATE_ITEM, value=written, key=field(type(record), key))
        seen.add(value)


def application_members(ws: Workspace) -> Iterator[Diagnostic]:
    for app in ws.applications.values():
        yield from _members_exist(ws, app, app.members)
        # a refused list ("members: kajaani, kuhmo") may well hold the responsible one
        yield from _responsible(ws, app, list(app.members), refused(app, "members"))
        if len(set(app.members) - {None}) == 1:
            yield diagnostic(app.origin.path, app.origin.at("members"), codes.FEW_MEMBERS, members=Plural(_MEMBERS, 1))


# Pilots


def pilot_application(ws: Workspace) -> Iterator[Diagnostic]:
    first_pilot: dict[str, str] = {}
    for pilot in sorted(ws.pilots.values(), key=lambda p: p.origin.path):
        name = pilot.application
        if name is None:
            continue
        app = ws.applications.get(name)
        if app is None:
            yield no_such(ws, "applications", name, pilot.origin.path, pilot.origin.at("application"))
        elif app.status is not None and app.status != "selected":
            position = pilot.origin.at("application")
            yield diagnostic(pilot.origin.path, position, codes.APPLICATION_NOT_SELECTED, value=name, status=choice(app.status), selected=choice("selected"))
        if name in first_pilot:
            position = pilot.origin.at("application")
            yield diagnostic(pilot.origin.path, position, codes.TWO_PILOTS, value=name, other=first_pilot[name])
        first_pilot.setdefault(name, pilot.origin.path)


def pilot_members(ws: Workspace) -> Iterator[Diagnostic]:
    for pilot in ws.pilots.values():
        if pilot.members is None:  # missing or not a list: already reported
            continue
        # one entry per list item, so that positions match the file even past a broken item
        orgs = [m.org if m is not None else None for m in pilot.members]
        yield from _members_exist(ws, pilot, orgs, "org")
        yield from _responsible(ws, pilot, orgs, any(refused(pilot, "members", i, "org") for i in range(len(orgs))))
        distinct = len(set(orgs) - {None})
        if not pilot.members:  # nobody to approve or to pay the fee
            yield diagnostic(pilot.origin.path, pilot.origin.at("members"), codes.EMPTY_VALUE, key=field(Pilot, ("members",)))
        elif distinct == 1:
            yield diagnostic(pilot.origin.path, pilot.origin.at("members"), codes.FEW_MEMBERS, members=Plural(_MEMBERS, 1))
        app = ws.applications.get(pilot.application or "")
        listed = pilot.years if pilot.years is not None else (ws.call.fee.years if ws.call and ws.call.fee else None) or ()
        # a fee year that could not be read (reported already) might be the member's: say nothing then
        fee_years = pilot.fee_years(ws.call) if None not in listed else ()
        for index, member in enumerate(pilot.members):
            if member is None:
                continue
            where = ("members", index)
            if member.joined and member.left and member.left < member.joined:
                yield diagnostic(
                    pilot.origin.path, pilot.origin.at(*where, "left"), codes.LEFT_BEFORE_JOINED,
                    left=member.left, joined=member.joined,
                )
            elif fee_years and member.org and not any(member.takes_part_in(year) for year in fee_years):
                # joined after the last fee year, or left before the first: a mistyped date bills it nothing
                late = member.joined is not None and member.joined.year > max(fee_years)
                yield diagnostic(
                    pilot.origin.path, pilot.origin.at(*where, "joined" if late else "left"), codes.NO_FEE_YEAR_FOR_MEMBER,
                    value=member.org, years=list(fee_years),
                )
            if member.approval is None:
                if refused(pilot, *where, "approval"):
                    continue
                yield diagnostic(pilot.origin.path, pilot.origin.at(*where), codes.MISSING_APPROVAL, value=member.org)
                continue
            approved = member.approval.date
            if approved and app and app.submitted and approved < app.submitted:
                yield diagnostic(
                    pilot.origin.path, pilot.origin.at(*where, "approval", "date"), codes.APPROVAL_BEFORE_APPLICATION,
                    approval=approved, submitted=app.submitted,
                )


def pilot_years(ws: Workspace) -> Iterator[Diagnostic]:
    if ws.call is None or ws.call.fee is None:
        return
    if ws.call.fee.years is not None and not ws.call.fee.years:  # "years: []": nothing to bill
        yield diagnostic(ws.call.origin.path, ws.call.origin.at("fee", "years"), codes.EMPTY_VALUE, key=field(Call, ("fee", "years")))
    call_years = [year for year in ws.call.fee.years or () if year is not None]
    for pilot in ws.pilots.values():
        if pilot.years is not None and not pilot.years:  # "years: []" would bill nothing, silently
            yield diagnostic(pilot.origin.path, pilot.origin.at("years"), codes.EMPTY_VALUE, key=field(Pilot, ("years",)))
        yield from _repeats(pilot, ("years",), pilot.years or ())  # a year twice would be billed twice
        for index, year in enumerate(pilot.years or ()):
            if year is not None and call_years and year not in call_years:  # no call years: said once, above
                yield diagnostic(pilot.origin.path, pilot.origin.at("years", index), codes.YEAR_NOT_IN_CALL, value=year, choices=call_years)
        # a member without a (valid) org is reported at its org, and may be the one taking part
        if not all(m and m.org for m in pilot.members or ()):
            continue
        for year in pilot.fee_years(ws.call):
            if pilot.members and not any(m.takes_part_in(year) for m in pilot.members):
                yield diagnostic(pilot.origin.path, pilot.origin.at("members"), codes.NO_MEMBERS_IN_YEAR, year=year)


def pilot_follows_application(ws: Workspace) -> Iterator[Diagnostic]:
    """A pilot's members are those of the application it grows from: a member that never
    applied, or one that applied but is not in the pilot, is probably a mistake."""
    for pilot in ws.pilots.values():
        app = ws.applications.get(pilot.application or "")
        if app is None or not app.members or not pilot.members:
            continue
        applied = set(app.members)
        in_pilot = {m.org if m is not None else None for m in pilot.members}
        if not (applied | in_pilot) <= ws.organizations.keys():  # unreadable or unknown: reported already
            continue
        for index, member in enumerate(pilot.members):
            if member is not None and member.org is not None and member.org not in applied:
                position = pilot.origin.at("members", index, "org")
                yield diagnostic(pilot.origin.path, position, codes.NOT_IN_APPLICATION, value=member.org, application=app.origin.path)
        for index, org in enumerate(app.members):
            if org is not None and org not in in_pilot:
                position = app.origin.at("members", index)
                yield diagnostic(app.origin.path, position, codes.NOT_IN_PILOT, value=org, pilot=pilot.origin.path)


def call_years(ws: Workspace) -> Iterator[Diagnostic]:
    if ws.call is not None and ws.call.fee is not None:
        yield from _repeats(ws.call, ("fee", "years"), ws.call.fee.years or ())


def call_vat(ws: Workspace) -> Iterator[Diagnostic]:
    """Every fee year needs a VAT rate (the rate follows the fee year: money.fee_year_vat_date)."""
    if ws.call is None or ws.call.fee is None:
        return
    table = ws.call.fee.vat_table()
    for year in ws.call.fee.years or ():
        day = fee_year_vat_date(year) if year is not None else None
        if day is not None and not any(start <= day for start in table):
            yield diagnostic(ws.call.origin.path, ws.call.origin.at("fee", "vat"), codes.NO_VAT_RATE, day=day, year=year)


def split_data(ws: Workspace) -> Iterator[Diagnostic]:
    for pilot in ws.pilots.values():
        method = pilot.split_method(ws.call)
        if method == "population" and pilot.population_year is None and not refused(pilot, "population_year"):
            yield diagnostic(pilot.origin.path, pilot.origin.at("split"), codes.NO_POPULATION_YEAR)
        for index, member in enumerate(pilot.members or ()):
            if member is None or member.org is None:
                continue
            where = ("members", index)
            org = ws.organizations.get(member.org)
            if method == "population" and pilot.population_year is not None and org is not None:
                if pilot.population_year not in org.population and not refused(org, "population"):  # 0 is a figure
                    yield diagnostic(pilot.origin.path, pilot.origin.at(*where), codes.NO_POPULATION, value=member.org, year=pilot.population_year)
            # a weight that is given but not valid (e.g. 1.5 unquoted, 0) is reported where it is written
            if method == "weights" and member.weight is None and not refused(pilot, *where, "weight"):
                yield diagnostic(pilot.origin.path, pilot.origin.at(*where), codes.NO_WEIGHT, value=member.org)
            if member.weight is not None and method != "weights":
                yield diagnostic(pilot.origin.path, pilot.origin.at(*where, "weight"), codes.UNUSED_WEIGHT, value=member.org, split=choice(method))
        if method == "population" and pilot.population_year is not None:
            yield from _population_totals(ws, pilot)


def _population_totals(ws: Workspace, pilot: Pilot) -> Iterator[Diagnostic]:
    """A population split needs people to split by: in each fee year, the populations of
    the members taking part must add up to more than zero (0 is a valid population)."""
    for year in sorted(set(pilot.fee_years(ws.call))):
        orgs = [ws.organizations.get(m.org) for m in pilot.members or () if m and m.org and m.takes_part_in(year)]
        populations = [org.population.get(pilot.population_year) if org else None for org in orgs]
        if populations and all(population == 0 for population in populations):  # None: reported already
            position = pilot.origin.at("population_year")
            yield diagnostic(pilot.origin.path, position, codes.ZERO_POPULATION, year=year, population_year=pilot.population_year)


# Organisations


def organization_codes(ws: Workspace) -> Iterator[Diagnostic]:
    for org in ws.organizations.values():
        position = org.origin.at("municipality_code")
        # missing, or written empty ("municipality_code:"); a malformed code is reported already
        if org.type == "municipality" and org.municipality_code is None and not refused(org, "municipality_code"):
            yield diagnostic(org.origin.path, position, codes.MISSING_KEY, key=field(Organization, ("municipality_code",)))
        if org.type not in (None, "municipality") and org.municipality_code is not None:
            yield diagnostic(org.origin.path, org.origin.at("municipality_code"), codes.MUNICIPALITY_CODE_TYPE, type=choice(org.type))
        if org.einvoice and org.einvoice.address and org.business_id:
            own = "0037" + org.business_id.replace("-", "")
            if org.einvoice.address.startswith("0037") and not org.einvoice.address.startswith(own):
                yield diagnostic(
                    org.origin.path, org.origin.at("einvoice", "address"), codes.EINVOICE_NOT_OWN,
                    value=org.einvoice.address, business_id=org.business_id,
                )


def business_ids(ws: Workspace) -> Iterator[Diagnostic]:
    """One payer, one record: two records with one Y-tunnus would bill it twice."""
    first: dict[str, str] = {}
    for org in sorted(ws.organizations.values(), key=lambda o: o.origin.path):
        if org.business_id is None:
            continue
        other = first.setdefault(org.business_id, org.origin.path)
        if other != org.origin.path:
            yield diagnostic(org.origin.path, org.origin.at("business_id"), codes.DUPLICATE_BUSINESS_ID, value=org.business_id, other=other)


RULES: tuple[Rule, ...] = (
    application_call,
    required_content,
    length_limit,
    deadline,
    education_forms_and_goals,
    application_members,
    pilot_application,
    pilot_members,
    pilot_years,
    pilot_follows_application,
    call_years,
    call_vat,
    split_data,
    organization_codes,
    readiness.placeholders,
    readiness.billing_address,
    business_ids,
    *statistics.RULES,
)


def check(ws: Workspace) -> Report:
    """Every problem of the workspace, sorted by position, and every application's length."""
    from kopa_cli.check import ledger  # it uses no_such from here

    problems = list(ws.diagnostics)
    for rule in RULES:
        problems.extend(rule(ws))
    problems.extend(ledger.check_ledgers(ws, records_have_errors=any(
        d.severity is Severity.ERROR and not d.path.startswith(LEDGERS) for d in problems)))
    return Report(
        files=ws.files,
        diagnostics=tuple(sort_diagnostics(problems)),
        lengths=application_lengths(ws),
        limit=ws.call.max_chars if ws.call else None,
        language=ws.call.language if ws.call else None,
        dependencies=record_keys(ws),
    )
