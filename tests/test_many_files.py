"""A workspace of many files: every problem found, the same from the cache as parsed afresh."""

import gc
from pathlib import Path

from conftest import copy_shipped_workspace, run_kopa
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
    root = many_records(tmp_path, 250)
    cold = run_kopa("validate", "--format", "json", workspace=root)
    warm = run_kopa("validate", "--format", "json", workspace=root)
    assert cold.exit_code == warm.exit_code == 1
    assert cold.stdout == warm.stdout
    assert cold.stdout.count('"KOPA601"') == 36  # 250 / 7, rounded up


def test_only_the_first_workspace_of_a_process_is_frozen(tmp_path: Path, monkeypatch) -> None:
    # load/workspace.py freezes what exists after the first build; a second workspace (a
    # --compare, the next in-process run) is collected as usual, so frozen objects do not pile up.
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1))
    workspace = copy_shipped_workspace(tmp_path)
    load_workspace(workspace, DirectorySource(workspace))
    load_workspace(workspace, DirectorySource(workspace))
    assert len(freezes) <= 1  # none if an earlier test in this process built the first
