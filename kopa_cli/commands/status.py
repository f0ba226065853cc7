"""kopa status: the call, applications, pilots, fees, invoices and problems on one screen."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kopa_cli.billing.fees import compute_fees
from kopa_cli.check.validation import check
from kopa_cli.core.errors import ExitCode
from kopa_cli.render import status
from .common import load


def run(root: Path, lang: str | None, use_cache: bool = True, today: date | None = None) -> int:
    workspace = load(root, lang, use_cache)
    report = check(workspace)
    lines = None if report.errors else compute_fees(workspace)
    status.write(status.overview(workspace, report, lines), sys.stdout, today or date.today())
    return ExitCode.OK
