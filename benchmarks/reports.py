"""Benchmark: `kopa report applications` on 1 000 applications, `kopa report pilot` for 100 pilots.

Generates 1 000 applications (the fee benchmark's, with 10 members each from 2 000
organisations) and a pilot for each of the first 100 in a temporary folder, then prints:

- `kopa report applications` (Markdown and HTML), the installed CLI as a subprocess, median
  of --runs, with the cache off (KOPA_NO_CACHE=1: every file parsed) and warm (the default
  when the files have not changed; target: under 3 s), beside `kopa validate` on the same files;
- `kopa report pilot --pilot ID --format html` once for each of the 100 pilots, as 100 CLI
  processes with a warm cache: the total and the median per pilot (target: all 100 under
  5 s; each process also pays Python's and kopa's start, measured here as `kopa --version`);
- the same 100 HTML pilot reports rendered in one process from one loaded workspace (what a
  script or a future `--pilot all` costs), through commands/report.py's own functions.

    python benchmarks/reports.py [--applications 1000] [--pilots 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import fees
from fees import ORGANIZATIONS, REPO, kopa_command, timed

MEMBERS = 10


def generate(root: Path, applications: int, pilots: int) -> None:
    fees.generate(root, applications, MEMBERS)  # an application and its pilot for each index
    for path in sorted((root / "records" / "pilots").glob("*.yaml"))[pilots:]:
        path.unlink()


def run_checked(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    wall, _cpu, result = timed(command, env)
    if result.returncode != 0:
        sys.stderr.write(result.stderr.decode()[-2000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    return wall, len(result.stdout)


def in_process(root: Path, pilots: list[str]) -> float:
    """All pilot reports in one process: the workspace loaded and checked once."""
    sys.path.insert(0, str(REPO))
    from kopa_cli.commands.common import load_with_report
    from kopa_cli.commands.report import context
    from kopa_cli.core.i18n import set_language
    from kopa_cli.render import reports

    set_language("fi")
    start = time.perf_counter()
    workspace, report = load_with_report(root, None)
    for pilot_id in pilots:
        reports.render(root, "pilot", "html", "fi", context(workspace, report, "pilot", pilot_id, "html"))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--pilots", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kopa-bench-") as folder:
        root = Path(folder)
        generate(root, options.applications, options.pilots)
        env = {**os.environ, "KOPA_CACHE_DIR": str(root / ".cache"), "KOPA_LANG": "fi"}
        cold = {**env, "KOPA_NO_CACHE": "1"}
        kopa = kopa_command() + ["--workspace", str(root)]
        print(f"workspace: {options.applications} applications, {options.pilots} pilots of {MEMBERS} members, "
              f"{ORGANIZATIONS} organisations; median of {options.runs} runs")
        start = statistics.median(run_checked(kopa_command() + ["--version"], env)[0] for _ in range(options.runs))
        print(f"kopa --version (process start):             {start:6.2f} s")
        # kopa validate reads and checks the same files: what the report adds is the difference.
        for label, command in (("validate --format json", kopa + ["validate", "--format", "json"]),
                               ("report applications --format md", kopa + ["report", "applications", "--format", "md"]),
                               ("report applications --format html", kopa + ["report", "applications", "--format", "html"])):
            cold_wall = statistics.median(run_checked(command, cold)[0] for _ in range(options.runs))
            run_checked(command, env)  # fills the cache
            warm = [run_checked(command, env) for _ in range(options.runs)]
            warm_wall = statistics.median(wall for wall, _size in warm)
            verdict = f"(target: under 3 s with the cache) {'ok' if warm_wall < 3 else 'MISSED'}" if "report" in label else ""
            print(f"{label:<34} cold {cold_wall:6.2f} s, warm {warm_wall:6.2f} s, {warm[0][1] / 1024:6,.0f} KiB {verdict}")
        ids = [f"pilot-{index:04d}" for index in range(options.pilots)]
        walls = [run_checked(kopa + ["report", "pilot", "--pilot", pilot_id, "--format", "html"], env)[0] for pilot_id in ids]
        total = sum(walls)
        print(f"report pilot --format html, {len(ids)} processes: total {total:6.2f} s, median {statistics.median(walls):5.2f} s "
              f"per pilot (target: all under 5 s) {'ok' if total < 5 else 'MISSED'}")
        within = in_process(root, ids)
        print(f"report pilot --format html, {len(ids)} in one process: total {within:6.2f} s, "
              f"{within / len(ids) * 1000:5.0f} ms per pilot (target: under 5 s) {'ok' if within < 5 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
