"""kopa status: the call, applications, pilots, fees, invoices and problems on one screen."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kopa_cli.billing.fees import compute_fees
from kopa_cli.core.errors import ExitCode
from kopa_cli.render import status
from .common import load_with_report


def run(root: Path, lang: str | None, use_cache: bool = True, today: date | None = None) -> int:
    workspace, report = load_with_report(root, lang, use_cache)  # an unchanged workspace's report from the cache
    lines = None if report.errors else compute_fees(workspace)
    status.write(status.overview(workspace, report, lines), sys.stdout, today or date.today())
    return ExitCode.OK
