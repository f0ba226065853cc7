"""Ready to invoice? Example values left from ``kopa init``, and organisations with no
address to send an invoice to. Both are warnings: the records are valid, the invoices
would not be right (the organiser's Y-tunnus and account are printed on every invoice).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, diagnostic
from kopa_cli.load.fieldnames import field
from kopa_cli.load.structure import refused
from kopa_cli.load.workspace import Workspace

MARKER = "KORVAA"  # "replace": the init templates mark their invented values with it
# The invented organiser of templates/init/(sv/)call.yaml.j2, on its lines marked KORVAA
# (the name holds the marker itself); tests/test_init_new.py holds the two together.
EXAMPLE_ORGANIZER: dict[tuple[str, ...], str] = {
    ("organizer", "business_id"): "1234567-1",
    ("organizer", "address", "street"): "Esimerkkikatu 1",
    ("organizer", "iban"): "FI2112345600000785",
    ("organizer", "bic"): "NDEAFIHH",
}
# NDEAFIHH is a real bank's BIC: it is an example only beside the example account.
_ONLY_WITH = {("organizer", "bic"): ("organizer", "iban")}


def _value_at(record: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        record = getattr(record, name, None)
    return record


def placeholders(ws: Workspace) -> Iterator[Diagnostic]:
    """KOPA609 on each example value of the organiser that is still there."""
    call = ws.call
    if call is None:
        return
    for path in (("organizer", "name"), *EXAMPLE_ORGANIZER):
        value = _value_at(call, path)
        if not isinstance(value, str):
            continue
        companion = _ONLY_WITH.get(path)
        example = value == EXAMPLE_ORGANIZER.get(path) and (companion is None or _value_at(call, companion) == EXAMPLE_ORGANIZER[companion])
        if example or MARKER in value:
            yield diagnostic(call.origin.path, call.origin.at(*path), codes.PLACEHOLDER, key=field(type(call), path), value=value)


_ADDRESSES = ("einvoice", "billing_email")


def billing_address(ws: Workspace) -> Iterator[Diagnostic]:
    """KOPA610 on an organisation with neither ``einvoice`` nor ``billing_email``. One that
    was written but refused, or misspelt (an unknown key close to either), is reported already."""
    for org in ws.organizations.values():
        if org.einvoice is None and org.billing_email is None and not any(refused(org, name) for name in _ADDRESSES):
            yield diagnostic(org.origin.path, org.origin.at(), codes.NO_BILLING_ADDRESS)
