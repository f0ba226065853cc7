"""Which records' diagnostics a change can alter: ``kopa validate --changed-since``.

The rules of validation.py read other records than the one they report on: a pilot's
members must exist and have a population, an application's pilot must list its members,
two organisations must not share a Y-tunnus. Each record file here gets two sets of
*keys*: those it **provides** (what other records can see of it: its own kind and id, an
organisation's Y-tunnus, a pilot's application) and those it **reads** (the keys of others
its diagnostics depend on). A change touches the keys the changed files provide now and the
kind and id of every changed or removed file; a record is affected when it reads a touched
key. The call is read by every rule, so a changed call affects everything.

Keys are short strings: ``organizations:kajaani``, ``applications:kainuu-lukiot``,
``pilots:kainuu-lukiot``, ``business-id:0208202-2``, ``pilot-of:kainuu-lukiot`` (the pilots
grown from an application); ``any:organizations`` is touched by a change to any
organisation (area statistics read it, and so do organisations sharing a Y-tunnus), ``any:pilots``
by a change to any pilot (pilots of one application read it), and an invoice ledger reads
``any:`` of every kind.
They are computed with the report and kept with it in the cache (``Report.dependencies``),
so that choosing what to show needs no records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kopa_cli.core.diagnostics import Dependencies
from kopa_cli.core.identifiers import is_id
from kopa_cli.load.kinds import CALL_PATH, KINDS
from kopa_cli.load.recordfiles import kind_of, stem_id

if TYPE_CHECKING:  # not imported at run time: choosing from a cached report needs no records
    from kopa_cli.core.diagnostics import Report
    from kopa_cli.load.workspace import Workspace


def _identity(path: str) -> str | None:
    """The key of the record a file stands for, from its path: kind and id (``Kajaani.yaml``
    stands for kajaani)."""
    kind = kind_of(path)
    return f"{kind}:{stem_id(path)}" if kind else None


def _references(kind: str, ids: Iterable[str | None], known: Iterable[str] | None = None) -> list[str]:
    """The keys of the records of ``kind`` named by ``ids``; and ``any:<kind>`` if one is not
    among ``known`` (the record's own references: their message then suggests the closest id
    of every record of the kind)."""
    named = [id_ for id_ in dict.fromkeys(ids) if id_ is not None]
    missing = known is not None and not set(named) <= set(known)
    return [f"{kind}:{id_}" for id_ in named] + ([f"any:{kind}"] if missing else [])


def record_keys(ws: Workspace) -> Dependencies:
    """What each record provides and reads beyond its own identity (which every path
    provides; see ``affected``)."""
    provides: dict[str, tuple[str, ...]] = {}
    reads: dict[str, tuple[str, ...]] = {}
    shared = Counter(org.business_id for org in ws.organizations.values() if org.business_id)
    for org in ws.organizations.values():
        # business_ids(): the same Y-tunnus in two records; statistics.populations_agree(): the
        # population against every table of area statistics
        own = (f"business-id:{org.business_id}",) if org.business_id else ()
        provides[org.origin.path] = own
        reads[org.origin.path] = (*own, "any:statistics") if org.municipality_code else own
        if shared[org.business_id] > 1:
            # KOPA409 names the first file with the Y-tunnus: that may be one that had it before
            # the change, whose Y-tunnus now is another (no key of today's records tells that)
            reads[org.origin.path] += ("any:organizations",)
    members = {pilot.origin.path: [m.org for m in pilot.members or () if m is not None] for pilot in ws.pilots.values()}
    # pilot_follows_application compares a pilot with its application only while every member
    # of both exists: each reads the other's members too
    growing = Counter(pilot.application for pilot in ws.pilots.values() if pilot.application)
    pilot_members: dict[str, list[str | None]] = {}
    for pilot in ws.pilots.values():
        if pilot.application:
            pilot_members.setdefault(pilot.application, []).extend(members[pilot.origin.path])
    for app in ws.applications.values():
        responsible = app.responsible.organization if app.responsible else None
        # members must exist (application_members); its pilot lists them (pilot_follows_application)
        own = _references("organizations", [*app.members, responsible], ws.organizations)
        reads[app.origin.path] = (*own, *_references("organizations", pilot_members.get(app.id, ())), f"pilot-of:{app.id}")
    for pilot in ws.pilots.values():
        responsible = pilot.responsible.organization if pilot.responsible else None
        application = (*_references("applications", [pilot.application], ws.applications), f"pilot-of:{pilot.application}") if pilot.application else ()
        applied = ws.applications[pilot.application].members if pilot.application in ws.applications else []
        # members exist and have populations (split_data); the application is selected, lists the
        # same members and was submitted before the approvals; no other pilot grows from it
        own = _references("organizations", [*members[pilot.origin.path], responsible], ws.organizations)
        reads[pilot.origin.path] = (*own, *_references("organizations", applied), *application)
        if pilot.application:
            provides[pilot.origin.path] = (f"pilot-of:{pilot.application}",)
        if growing[pilot.application] > 1:  # KOPA407 names the first pilot, as KOPA409 the first file
            reads[pilot.origin.path] += ("any:pilots",)
    every_kind = tuple(f"any:{kind.name}" for kind in KINDS)
    for ledger in ws.ledgers.values():
        # check/ledger.py compares the amounts with the fee split of every pilot (a member's
        # share moves with the other members' populations), numbers and credit notes across the
        # ledgers, and only while no other record has an error: any change can alter its problems
        reads[ledger.origin.path] = every_kind
    for table in ws.statistics.values():
        reads[table.origin.path] = ("any:organizations",)  # statistics.unknown_areas(): every municipality code
    return Dependencies.of(provides, reads)


def affected(report: Report, changed: Iterable[str], removed: Iterable[str]) -> Callable[[str], bool]:
    """Which workspace paths to report on after ``changed`` (existing) and ``removed`` files:
    those changed, and those whose diagnostics read what a change touched."""
    changed, removed = set(changed), set(removed)
    if CALL_PATH in changed | removed:
        return lambda path: True
    provides, reads = report.dependencies.split()
    identities = {key for path in changed | removed if (key := _identity(path))}
    touched = identities | {f"any:{key.partition(':')[0]}" for key in identities}
    touched.update(key for path in changed for key in provides.get(path, ()))
    selected = set(changed)
    # the records reading a touched key, and the other files of a changed record's id (KOPA406)
    selected.update(path for path, keys in reads.items() if touched.intersection(keys))
    ids = {key.partition(":")[2] for key in identities}

    def same_record(path: str) -> bool:  # a quick look at the name first: this sees every file
        stem = path[path.rfind("/") + 1:].rpartition(".")[0]
        return (stem in ids or not is_id(stem)) and _identity(path) in identities

    selected.update(filter(same_record, report.files))
    return selected.__contains__
