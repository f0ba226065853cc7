"""How fast is `kopa fmt --check`? Against a cold `kopa validate` of the same workspace.

    python benchmarks/fmt.py [--sizes 1000,10000] [--runs 3] [--keep DIR]

For each size it writes validate.py's synthetic workspace (N all-YAML applications with 2-4 KB
of Finnish text, 300 organisations, a pilot for every tenth application), brings it into the
canonical layout once with `kopa fmt` (timed too: every file is rewritten), then times in the
same run, as subprocesses of the installed `kopa`:

- `kopa fmt --check --no-cache`: every file formatted in memory and compared (must exit 0);
- `kopa fmt --check`: the files found canonical by the previous run are not formatted again
  (load/cache.py, CanonicalCache), as on a developer's machine or in pre-commit;
- `kopa validate` cold: an empty cache (a fresh KOPA_CACHE_DIR) every run;

each the median of --runs runs. Target (issue 9): `kopa fmt --check` in at most 2x the cold
`kopa validate`; both `kopa fmt --check` figures are compared with it.
"""

from __future__ import annotations

import argparse
import os
import itertools
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import validate as bench  # noqa: E402 - benchmarks/validate.py: the workspace and the timing helpers

CHECK_SHARE = 2.0  # kopa fmt --check at most this many times a cold kopa validate


def fmt_run(kopa: Path, workspace: Path, *options: str, expect: int = 0) -> float:
    seconds, done = bench.timed([str(kopa), "--workspace", str(workspace), "fmt", *options], bench.ENV, workspace)
    if done.returncode != expect:
        sys.exit(f"kopa fmt {' '.join(options)} exited {done.returncode}, expected {expect}:\n{done.stderr.decode()[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="numbers of applications, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (5 when a run is under a second)")
    parser.add_argument("--keep", type=Path, help="write the workspaces here and keep them (for profiling)")
    args = parser.parse_args()
    kopa = bench.BIN / "kopa"
    if not kopa.exists():
        sys.exit(f"kopa is not installed beside {sys.executable}: pip install -e '.[bench]'")
    with tempfile.TemporaryDirectory(prefix="kopa-bench-fmt-") as temporary:
        base = args.keep or Path(temporary)
        scratch = Path(temporary) / "scratch"
        scratch.mkdir()
        bench.ENV.update(bench.tool_environment(scratch))
        print("| applications | kopa fmt (rewrite) | --check --no-cache | --check | kopa validate cold | no-cache / cold | check / cold |")
        print("|---|---|---|---|---|---|---|")
        ok = True
        for size in (int(s) for s in args.sizes.split(",")):
            workspace = bench.empty_folder(base / f"workspace-{size}")
            counts = bench.write_workspace(workspace, size)
            files = sum(counts.values())
            rewrite = fmt_run(kopa, workspace)
            uncached = bench.median_of(lambda: fmt_run(kopa, workspace, "--check", "--no-cache"), args.runs)
            check = bench.median_of(lambda: fmt_run(kopa, workspace, "--check"), args.runs)
            fresh = itertools.count()
            cold = bench.median_of(
                lambda: bench.kopa_run(kopa, workspace, bench.empty_folder(scratch / f"cold-{next(fresh)}"), files)[0], args.runs
            )
            shares = uncached / cold, check / cold
            ok = ok and shares[1] <= CHECK_SHARE
            print(
                f"| {size} | {rewrite:.2f} s | {uncached:.2f} s | {check:.2f} s | {cold:.2f} s | "
                + " | ".join(f"{share:.2f} {bench.verdict(share <= CHECK_SHARE)}" for share in shares) + " |"
            )
        print(f"\ntarget: kopa fmt --check at most {CHECK_SHARE}x the cold kopa validate (load {os.getloadavg()[0]:.1f})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
