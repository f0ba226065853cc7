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


@pytest.mark.skipif(
    (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods(),
    reason="kopa parses in one process here",
)
def test_worker_processes_give_the_same_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = many_records(tmp_path, workspace.PARALLEL_FROM + 50)
    (root / "records" / "organizations" / "extra-0003.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    started = []
    real_pool = workspace.ProcessPoolExecutor
    monkeypatch.setattr(workspace, "ProcessPoolExecutor", lambda *a, **k: started.append(a) or real_pool(*a, **k))
    parallel = workspace.load_workspace(root, DirectorySource(root))
    assert started, "the workers were not used"
    monkeypatch.setattr(workspace, "PARALLEL_FROM", 10**9)
    serial = workspace.load_workspace(root, DirectorySource(root))
    assert len(started) == 1
    assert parallel.organizations == serial.organizations
    # records compare without their origins; Origin's own equality holds the positions
    assert [o.origin for o in parallel.organizations.values()] == [o.origin for o in serial.organizations.values()]
    assert parallel.diagnostics == serial.diagnostics  # positions and message arguments included
    assert sum(d.code == "KOPA601" for d in parallel.diagnostics) == 36  # 250 / 7, rounded up
    assert any(d.path.endswith("extra-0003.yaml") for d in parallel.diagnostics)  # the YAML error, from a worker


def test_only_the_first_workspace_of_a_process_is_frozen(tmp_path: Path, monkeypatch) -> None:
    # load/workspace.py freezes what exists after the first build; a second workspace (a
    # --compare, the next in-process run) is collected as usual, so frozen objects do not pile up.
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1))
    root = copy_shipped_workspace(tmp_path)
    workspace.load_workspace(root, DirectorySource(root))
    workspace.load_workspace(root, DirectorySource(root))
    assert len(freezes) <= 1  # none if an earlier test in this process built the first
