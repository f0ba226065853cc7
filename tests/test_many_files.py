"""A workspace of many files: every problem found, the same from the cache as parsed afresh,
and the same from the worker processes (workspace.parse_all) as parsed in turn."""

import gc
import multiprocessing
import os
from pathlib import Path

import pytest

from conftest import copy_shipped_workspace, run_kopa
from kopa_cli.load import workspace
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import load_workspace

ORGANIZATION = """name: Kunta {n}
type: provider
business_id: "{business_id}"
address: {{street: Katu {n}, postcode: "00100", city: Helsinki}}
"""


def many_records(root: Path, count: int) -> Path:
    copy_shipped_workspace(root)
    for n in range(count):
        body = ORGANIZATION.format(n=n, business_id="0926151-4" if n % 7 else "0926151-5")  # every 7th is wrong
        (root / "records" / "organizations" / f"extra-{n:04d}.yaml").write_text(body, encoding="utf-8")
    return root


def test_validate_reports_every_problem_of_many_files_cold_and_warm(tmp_path: Path) -> None:
    root = many_records(tmp_path, workspace.PARALLEL_FROM + 50)
    cold = run_kopa("validate", "--format", "json", workspace=root)
    warm = run_kopa("validate", "--format", "json", workspace=root)
    assert cold.exit_code == warm.exit_code == 1
    assert cold.stdout == warm.stdout
    assert cold.stdout.count('"KOPA601"') == 36  # 250 / 7, rounded up


from kopa_cli.load import workspace
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import load_workspace
