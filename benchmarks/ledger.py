"""Benchmark: what an invoice ledger of 10 000 entries adds to `kopa validate`, and how long
`kopa invoice issue` takes for 300 members and for 10 000.

    python benchmarks/ledger.py [--pilots 1021] [--members 10] [--runs 3]

Generates benchmarks/fees.py's workspace (1 021 pilots of 10 members: 10 005 shares in fee
year 2020) in a git repository in a temporary folder, and times the installed CLI as
subprocesses (median wall time of --runs runs):

- `kopa validate` without a ledger, cold (empty cache) and warm (unchanged);
- the same with the ledger of 10 005 entries issued but not committed (no HEAD to compare);
- the same with the ledger committed (git is asked for HEAD's ledger blob ids every run);
- the same with one credit note appended after the commit (HEAD's ledger parsed and compared);
- `kopa invoice issue --year 2020` for the 10 005 shares, and for 300 shares (31 pilots).

Target (issue 7): the ledger adds under 1 s to `kopa validate`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from fees import generate, kopa_command, timed  # benchmarks/ is on the path when a script there runs

LIMIT = 1.0  # seconds the ledger may add to a validate run


def git(root: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args]
    subprocess.run(command, cwd=root, check=True, capture_output=True)


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def run(kopa: list[str], env: dict[str, str], *args: str) -> tuple[float, float]:
    """Wall and CPU time of one run, which must succeed."""
    wall, cpu, result = timed(kopa + list(args), env)
    if result.returncode != 0:
        sys.exit(f"kopa {' '.join(args)} failed ({result.returncode}):\n{result.stderr.decode()[-2000:]}")
    return wall, cpu


def median(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def validate_times(kopa: list[str], env: dict[str, str], scratch: Path, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) of `kopa validate` cold and warm."""
    cold, warm = [], []
    for index in range(runs):
        cache = scratch / f"cache-{index}"
        shutil.rmtree(cache, ignore_errors=True)
        local = {**env, "KOPA_CACHE_DIR": str(cache)}
        cold.append(run(kopa, local, "validate", "--format", "json"))
        warm.append(run(kopa, local, "validate", "--format", "json"))
    return median(cold), median(warm)


def issue_time(pilots: int, members: int, runs: int, scratch: Path, env: dict[str, str]) -> tuple[tuple[float, float], int]:
    """Median (wall, CPU) of issuing every 2020 share of a fresh workspace, and how many it issued."""
    times, issued = [], 0
    for index in range(runs):
        root = scratch / f"issue-{pilots}-{index}"
        generate(root, pilots, members)
        kopa = kopa_command() + ["--workspace", str(root)]
        times.append(run(kopa, {**env, "KOPA_CACHE_DIR": str(scratch / f"issue-cache-{index}")},
                         "invoice", "issue", "--year", "2020", "--date", "2020-03-02"))
        issued = (root / "records/invoices/2020.yaml").read_text(encoding="utf-8").count("- number:")
    return median(times), issued


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, default=1021)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    env = {**os.environ, "KOPA_LANG": "en"}
    env.pop("KOPA_NO_CACHE", None)
    with tempfile.TemporaryDirectory(prefix="kopa-ledger-bench-") as folder:
        scratch = Path(folder)
        root = scratch / "ws"
        generate(root, options.pilots, options.members)
        git(root, "init", "-q")
        commit(root, "records")
        kopa = kopa_command() + ["--workspace", str(root)]
        rows = [("no ledger", *validate_times(kopa, env, scratch, options.runs))]
        issue_all = run(kopa, env, "invoice", "issue", "--year", "2020", "--date", "2020-03-02")
        entries = (root / "records/invoices/2020.yaml").read_text(encoding="utf-8").count("- number:")
        rows.append((f"ledger of {entries} entries, not committed", *validate_times(kopa, env, scratch, options.runs)))
        commit(root, "invoices")
        rows.append(("the ledger committed", *validate_times(kopa, env, scratch, options.runs)))
        run(kopa, env, "invoice", "credit", "20200001", "--date", "2020-03-02")
        rows.append(("one entry appended after the commit", *validate_times(kopa, env, scratch, options.runs)))
        issue_300, issued_300 = issue_time(31, options.members, options.runs, scratch, env)

    (base_cold, _), (base_warm, _) = rows[0][1], rows[0][2]
    (base_cold_cpu, base_warm_cpu) = rows[0][1][1], rows[0][2][1]
    print(f"kopa validate, {options.pilots} pilots x {options.members} members, median of {options.runs} runs (wall / CPU s):")
    print(f"{'':40} {'cold':>13} {'added':>13} {'warm':>13} {'added':>13}")
    worst = 0.0
    for name, (cold, cold_cpu), (warm, warm_cpu) in rows:
        worst = max(worst, cold_cpu - base_cold_cpu, warm_cpu - base_warm_cpu)
        print(f"{name:40} {cold:6.2f}/{cold_cpu:5.2f} {cold - base_cold:+6.2f}/{cold_cpu - base_cold_cpu:+5.2f}"
              f" {warm:6.2f}/{warm_cpu:5.2f} {warm - base_warm:+6.2f}/{warm_cpu - base_warm_cpu:+5.2f}")
    print(f"kopa invoice issue: {entries} invoices in {issue_all[0]:.2f} s ({issue_all[1]:.2f} s CPU); "
          f"{issued_300} invoices in {issue_300[0]:.2f} s ({issue_300[1]:.2f} s CPU)")
    print(f"the ledger adds at most {worst:.2f} s of CPU (target < {LIMIT:.0f} s): {'ok' if worst < LIMIT else 'MISSED'}")
    return 0 if worst < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
