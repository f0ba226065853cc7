"""Ledger entries as YAML text in the layout of record-format.md, to append to a ledger file.

Entries are only ever appended (record-format.md: the ledger is append-only), so what was
written before stays byte-identical, comments included. Money, rates, numbers, references and
business ids are quoted text; free text (names, addresses, reasons) is always double-quoted
(``yaml_str``), so no organisation name can end a value or start a key.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from kopa_cli.load.records import Address, Buyer, EInvoice, InvoiceEntry
from kopa_cli.render.templating import yaml_str


def _money(amount: Decimal) -> str:
    return f'"{amount:.2f}"'


def _address(address: Address) -> str:
    return f"{{street: {yaml_str(address.street)}, postcode: {yaml_str(address.postcode)}, city: {yaml_str(address.city)}}}"


def _einvoice(einvoice: EInvoice) -> str:
    return f"{{address: {yaml_str(einvoice.address)}, operator: {yaml_str(einvoice.operator)}}}"


def _buyer(buyer: Buyer) -> list[str]:
    lines = [
        "  buyer:",
        f"    name: {yaml_str(buyer.name)}",
        f"    business_id: {yaml_str(buyer.business_id)}",
        f"    address: {_address(buyer.address)}",
    ]
    if buyer.einvoice is not None:
        lines.append(f"    einvoice: {_einvoice(buyer.einvoice)}")
    if buyer.billing_email is not None:
        lines.append(f"    billing_email: {yaml_str(buyer.billing_email)}")
    lines.append(f"    language: {buyer.language}")
    if buyer.buyer_reference is not None:
        lines.append(f"    buyer_reference: {yaml_str(buyer.buyer_reference)}")
    return lines


def entry_yaml(entry: InvoiceEntry) -> str:
    """One entry as a ``- `` list item, ending in a line feed."""
    lines = [
        f"- number: {yaml_str(entry.number)}",
        f"  kind: {entry.kind}",
        f"  date: {entry.date.isoformat()}",
        f"  due: {entry.due.isoformat()}",
        f"  pilot: {entry.pilot}",
        f"  member: {entry.member}",
        f"  fee_year: {entry.fee_year}",
        f"  net: {_money(entry.net)}",
        f"  vat_rate: {yaml_str(f'{entry.vat_rate:f}')}",
        f"  vat: {_money(entry.vat)}",
        f"  total: {_money(entry.total)}",
        f"  reference: {yaml_str(entry.reference)}",
        f"  credits: {yaml_str(entry.credits) if entry.credits is not None else 'null'}",
        f"  reason: {yaml_str(entry.reason) if entry.reason is not None else 'null'}",
        *_buyer(entry.buyer),
        f"  pilot_name: {yaml_str(entry.pilot_name)}",
    ]
    return "\n".join(lines) + "\n"


def appended(text: str, entries: Iterable[InvoiceEntry]) -> str:
    """``text`` (a ledger file's content, or "" for a new one) with ``entries`` after it, in
    the file's line endings (CRLF if its lines end so, as an editor on Windows saves them)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith("\n"):
        text += newline
    return text + "".join(entry_yaml(entry) for entry in entries).replace("\n", newline)
