"""How fast is `kopa validate --changed-since REF` with one changed file? Against the unchanged re-run.

    python benchmarks/changed_since.py [--applications 10000] [--runs 5] [--keep DIR]

Writes the synthetic workspace of benchmarks/validate.py (N all-YAML applications, 300
organisations, a pilot for every tenth application) in a git repository, commits it, fills
the cache, and times as subprocesses of the installed `kopa`, each the median of --runs:

after one application's text is edited (not committed):

- the first `kopa validate --changed-since HEAD`: the one file parsed again, the rules run
  over the whole workspace, the report cached; and the first plain `kopa validate` after
  the same kind of edit, for comparison;
- then, nothing changed since the last run, `kopa validate` and `kopa validate
  --changed-since HEAD` in turn: both reuse the cached report; --changed-since adds two git
  commands (timed alone too) and the choice of what to show.

Target (issue 9): --changed-since at most 0.2 s slower than the unchanged (cached) run, as
the median of the paired differences. Each run must exit 0, and --changed-since must
report exactly the changed file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate as bench  # noqa: E402  (benchmarks/validate.py: the workspace and the timing)

TARGET_SECONDS = 0.2


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false", *args],
                   cwd=repo, check=True, capture_output=True)


def run(kopa: Path, workspace: Path, cache: Path, *more: str) -> tuple[float, dict]:
    env = {**bench.ENV, "KOPA_CACHE_DIR": str(cache)}
    seconds, done = bench.timed([str(kopa), "--workspace", str(workspace), "validate", "--format", "json", *more], env, workspace)
    if done.returncode != 0:
        sys.exit(f"kopa validate {' '.join(more)} exited {done.returncode}:\n{done.stderr.decode()}\n{done.stdout.decode()[:2000]}")
    return seconds, json.loads(done.stdout)


def git_time(repo: Path) -> float:
    """The two git commands of --changed-since (load/gitsource.py ``changes_since``), timed."""
    records = "kopa tiedot/records/"
    start = time.perf_counter()
    for command in (["diff", "--name-status", "-z", "-M", "--no-ext-diff", "HEAD", "--", records],
                    ["ls-files", "--others", "--exclude-standard", "-z", "--", records]):
        subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True,
                       env={**os.environ, "GIT_LITERAL_PATHSPECS": "1", "GIT_OPTIONAL_LOCKS": "0"})
    return time.perf_counter() - start


def edit(path: Path, round: int) -> None:
    """A change of text only: it moves no reference, so only this file is reported."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("goal: |\n", f"goal: |\n  Muutos {round}.\n", 1), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the workspace here and keep it")
    args = parser.parse_args()
    kopa = bench.BIN / "kopa"
    if not kopa.exists():
        sys.exit(f"{kopa} not found; run pip install -e . in this Python's environment first")

    base = args.keep or Path(tempfile.mkdtemp(prefix="kopa-bench-changed-"))
    bench.ENV.update(bench.tool_environment(base))
    subprocess.run([str(kopa), "--version"], env=bench.ENV, capture_output=True, check=True)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average before: {load}; median of {args.runs} runs")
    try:
        repo = base / "repo"
        shutil.rmtree(repo, ignore_errors=True)
        workspace = repo / "kopa tiedot"  # a subfolder, as in a records repository
        counts = bench.write_workspace(workspace, args.applications)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "records")
        files = sum(counts.values())
        cache = base / "cache"
        run(kopa, workspace, cache)  # fills the cache

        changed = workspace / "records" / "applications" / "hakemus-00042.yaml"
        firsts, plain_firsts = [], []
        for round in range(args.runs):
            edit(changed, round)
            seconds, report = run(kopa, workspace, cache, "--changed-since", "HEAD")
            if report["files"] != 1 or report["lengths"][0]["path"] != "records/applications/hakemus-00042.yaml":
                sys.exit(f"--changed-since reported {report['files']} files, expected the one changed")
            firsts.append(seconds)
            edit(changed, args.runs + round)
            seconds, report = run(kopa, workspace, cache)
            if report["files"] != files:
                sys.exit(f"kopa validate checked {report['files']} files, expected {files}")
            plain_firsts.append(seconds)
        # in turn, so that a change of the machine's load falls on both alike: the cached report
        # of the current files, with and without --changed-since
        unchanged_times, again_times = [], []
        for _ in range(args.runs):
            unchanged_times.append(run(kopa, workspace, cache)[0])
            again_times.append(run(kopa, workspace, cache, "--changed-since", "HEAD")[0])
        git_seconds = statistics.median(git_time(repo) for _ in range(args.runs))
        unchanged, again = statistics.median(unchanged_times), statistics.median(again_times)
        extra = statistics.median(b - a for a, b in zip(unchanged_times, again_times))

        print(f"{args.applications:,} applications, {files} files, one application changed (not committed)\n")
        print(f"  kopa validate, first run after the edit           {statistics.median(plain_firsts):7.3f} s")
        print(f"  --changed-since HEAD, first run after the edit    {statistics.median(firsts):7.3f} s")
        print(f"  kopa validate, nothing changed since the last run {unchanged:7.3f} s")
        print(f"  --changed-since HEAD, the same                    {again:7.3f} s")
        print(f"  of which the two git commands                     {git_seconds:7.3f} s")
        print(f"\ntarget: --changed-since <= unchanged + {TARGET_SECONDS} s: {extra:+.3f} s (median of paired runs)  {bench.verdict(extra <= TARGET_SECONDS)}")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
