"""What the keys and fixed values of records are called by the people who fill them in.

Messages name a field by these words, with the keys after it as the file writes them
(core/phrases.py), and give each fixed value its meaning. Message ids: translated when shown.

A key whose record definition gives it a label (``key(label=...)`` in records.py) is named by
that label, everywhere; the table below names only the keys without one.
"""

from __future__ import annotations

import dataclasses
import types
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from kopa_cli.core.i18n import N_
from kopa_cli.core.phrases import Choice, Field

# by key, for keys that records.py gives no label; a few keys mean something else under a
# particular parent (_UNDER)
_LABELS = {
    "address": N_("address"),
    "annual": N_("annual fee"),
    "application": N_("application"),
    "bic": N_("BIC"),
    "billing_email": N_("billing e-mail address"),
    "body": N_("deciding body"),
    "business_id": N_("Y-tunnus"),
    "buyer_reference": N_("buyer's reference"),
    "call": N_("call"),
    "city": N_("post office"),
    "contacts": N_("contact persons"),
    "currency": N_("currency"),
    "date": N_("date"),
    "deadline": N_("closing date of the call"),
    "education_forms": N_("education forms"),
    "einvoice": N_("e-invoicing details"),
    "email": N_("e-mail address"),
    "fee": N_("fee"),
    "first_number": N_("first invoice number"),
    "goals": N_("project goals"),
    "iban": N_("account number (IBAN)"),
    "id": N_("id"),
    "invoicing": N_("invoicing"),
    "joined": N_("date of joining"),
    "language": N_("language"),
    "left": N_("date of leaving"),
    "max_chars": N_("maximum length"),
    "members": N_("members"),
    "municipality_code": N_("municipality code"),
    "name": N_("name"),
    "operator": N_("e-invoice operator id"),
    "org": N_("organisation"),
    "organizer": N_("organiser and biller"),
    "payment_term_days": N_("payment term"),
    "person": N_("responsible person"),
    "phone": N_("phone number"),
    "population": N_("population"),
    "population_year": N_("year of the population figures"),
    "postcode": N_("postcode"),
    "reference": N_("section of the minutes"),
    "required": N_("required content"),
    "split": N_("fee split"),
    "status": N_("status"),
    "street": N_("street address"),
    "submitted": N_("date of submission"),
    "text_fields": N_("counted text fields"),
    "title": N_("title"),
    "type": N_("type of organisation"),
    "vat": N_("VAT rates"),
    "weight": N_("weight"),
    "years": N_("fee years"),
}
_UNDER = {
    ("einvoice", "address"): N_("e-invoice address"),
    ("approval", "date"): N_("date of the decision"),
    ("contacts", "name"): N_("name of the contact person"),
    ("person", "name"): N_("name of the responsible person"),
    ("person", "title"): N_("job title"),
    ("contacts", "title"): N_("job title"),
}

# what a key of each mapping stands for, by the mapping's key: a message about a key
# ({-3: 4} under population) names the key, not the value it holds
_KEY_LABELS = {
    "population": N_("year of a population figure"),
    "goals": N_("goal number"),
    "vat": N_("start date of a VAT rate"),
}

MEANINGS = {
    "submitted": N_("submitted, not decided"),
    "selected": N_("selected"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
    "equal": N_("in equal shares"),
    "population": N_("in proportion to population"),
    "weights": N_("by agreed weights"),
    "municipality": N_("a municipality"),
    "joint_authority": N_("a joint municipal authority"),
    "provider": N_("an education provider"),
    "other": N_("another organisation"),
    "fi": N_("Finnish"),
    "sv": N_("Swedish"),
    "en": N_("English"),
}


def field(kind: type, path: tuple[str | int, ...], data: Any = None, member: str | None = None) -> Field:
    """The field at ``path`` of a record of ``kind`` (a record class of records.py), named by
    its definition's label, or else by the table above. The member it is inside, if any, is
    named by ``member`` or found in ``data`` (the record as parsed)."""
    # a file that is one list (the invoice ledger) holds its entries under the kind's WHOLE_FILE key
    whole = getattr(kind, "WHOLE_FILE", None)
    typed = (whole, *path) if whole and path and isinstance(path[0], int) else tuple(path)
    # an entry of a mapping (a VAT rate under its date) is named by the key that holds the mapping
    keys = [part for part in typed[: _named_depth(kind, typed)] if isinstance(part, str)]
    label = (
        _defined_label(kind, typed)
        or _UNDER.get(tuple(keys[-2:]))
        or (_LABELS.get(keys[-1], "") if keys else "")
    )
    return Field.of(label, path, member or _member(path, data), data)


def mapping_key(kind: type, path: tuple[str | int, ...], data: Any = None) -> Field:
    """A key of the mapping at ``path`` (population, goals, fee → vat), named for what it
    stands for ("year of a population figure"), with the mapping's path."""
    label = _KEY_LABELS.get(path[-1], "") if path else ""
    return Field.of(label, path, _member(path, data), data) if label else field(kind, path, data)


def _defined_label(kind: type, path: tuple[Any, ...]) -> str:
    """The label the record definitions give the key ``path`` ends in ("" for none); a list
    item or a mapping's entry is named by the key that holds it."""
    tp: Any = kind
    label = ""
    for part in path:
        tp = _bare(tp)
        if dataclasses.is_dataclass(tp):
            found = _keys(tp).get(part) if isinstance(part, str) else None
            if found is None:
                return ""
            label, tp = found
        elif get_origin(tp) in (list, dict):
            tp = get_args(tp)[-1]
        else:
            return ""
    return label


def _named_depth(kind: type, path: tuple[Any, ...]) -> int:
    """How many parts of ``path`` name keys: all but the keys of a mapping's entries
    (``fee.vat."2013-01-01"`` -> 2); all of them where the definitions do not say."""
    tp: Any = kind
    for depth, part in enumerate(path):
        tp = _bare(tp)
        if dataclasses.is_dataclass(tp):
            found = _keys(tp).get(part) if isinstance(part, str) else None
            if found is None:
                return len(path)
            tp = found[1]
        elif get_origin(tp) is dict:
            return depth
        elif get_origin(tp) is list:
            tp = get_args(tp)[-1]
        else:
            return len(path)
    return len(path)


def _bare(tp: Any) -> Any:
    """``tp`` without ``| None`` and ``Annotated``."""
    while True:
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):
            tp = next(arg for arg in get_args(tp) if arg is not type(None))
        elif origin is Annotated:
            tp = tp.__origin__
        else:
            return tp


@cache
def _keys(cls: type) -> dict[str, tuple[str, Any]]:
    """(label or "", annotation) of each key of a record class."""
    hints = get_type_hints(cls, include_extras=True)
    return {f.name: (f.metadata.get("label") or "", hints[f.name]) for f in dataclasses.fields(cls) if not f.metadata.get("internal")}


def choice(value: object) -> Choice:
    """A fixed value with its meaning, when it has one."""
    return Choice.of(value, MEANINGS.get(value, "") if isinstance(value, str) else "")


def _member(path: tuple[str | int, ...], data: Any) -> str | None:
    """The id of the member ``path`` is inside (``members``, index, ...), as written."""
    if len(path) < 2 or path[0] != "members" or not isinstance(path[1], int) or not isinstance(data, dict):
        return None
    members = data.get("members")
    if not isinstance(members, list) or path[1] >= len(members):
        return None
    item = members[path[1]]
    org = item.get("org") if isinstance(item, dict) else item
    return org if isinstance(org, str) else None
