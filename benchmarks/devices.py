"""What each speed device of `kopa validate` gains: each one switched off in turn.

    python benchmarks/devices.py [--size 10000] [--runs 3] [--keep DIR] [--only NAME]

Runs `kopa validate` as validate.py does (whole processes, a fresh cache for a cold run),
as shipped and with one device switched off by a patch applied before the command starts,
the two in turn, on the synthetic workspace of --size applications and on the shipped
records. Prints the median times and the device's gain: how much longer the run takes
without it. benchmarks/README.md keeps the figures; a device that
gains under 10 % on both is removed (style.md: speed devices earn their keep).
"""

from __future__ import annotations

import argparse
import itertools
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate as bench  # noqa: E402 - the workspace and environment of the main benchmark

# device -> (which run it speeds up, the patch that switches it off)
DEVICES = {
    "gc.freeze, no gc while loading": ("cold", """
        import contextlib
        from kopa_cli.load import workspace
        workspace._no_garbage_collection = contextlib.nullcontext
    """),
    "process pool for parsing": ("cold", """
        from kopa_cli.load import workspace
        workspace.PARALLEL_FROM = 10**9
    """),
    "YAML tag resolver (yamlparse.resolve_tag)": ("cold", """
        from ruamel.yaml.resolver import VersionedResolver
        from kopa_cli.load import yamlparse
        resolver = VersionedResolver(version=(1, 2))
        yamlparse.resolve_tag = lambda kind, value, implicit: resolver.resolve(kind, value, implicit).suffix
    """),
    "bullet-list fast path (textlength)": ("cold", """
        import re
        from kopa_cli.core import textlength
        textlength._BULLET = re.compile("(?!)")
    """),
    "report cache": ("warm", """
        from kopa_cli.load.cache import ParseCache
        ParseCache.report_for_signature = lambda self, signature: None
        ParseCache.get_report = lambda self, key: None
    """),
}


def command(patch: str, workspace: Path) -> list[str]:
    code = textwrap.dedent(patch) + "\nfrom kopa_cli.cli import main\nmain()\n"
    return [sys.executable, "-c", code, "--workspace", str(workspace), "validate", "--format", "json"]


def run(patch: str, workspace: Path, cache: Path) -> tuple[float, float]:
    """(wall time, CPU time) of one run; the CPU time includes worker processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command(patch, workspace), env={**bench.ENV, "KOPA_CACHE_DIR": str(cache)}, capture_output=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"kopa validate exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def paired(patch: str, which: str, workspace: Path, scratch: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) times as shipped ("with") and without the device, the two run in
    turn so that a machine busy for a while slows both alike."""
    fresh = itertools.count()
    warm = {variant: bench.empty_folder(scratch / f"warm-{variant}") for variant in ("with", "without")}
    if which == "warm":
        run("", workspace, warm["with"])
        run(patch, workspace, warm["without"])
    times: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    for _ in range(runs):
        for variant, code in (("with", ""), ("without", patch)):
            cache = warm[variant] if which == "warm" else bench.empty_folder(scratch / f"cold-{next(fresh)}")
            times[variant].append(run(code, workspace, cache))
    return {
        variant: (statistics.median(t[0] for t in found), statistics.median(t[1] for t in found))
        for variant, found in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="applications in the synthetic workspace")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure on it (10 on the shipped records)")
    parser.add_argument("--keep", type=Path, help="write the workspace here and keep it")
    parser.add_argument("--only", default="", help="measure only the devices whose name contains this")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="kopa-devices-"))
    bench.ENV.update(bench.tool_environment(base))
    workspace = base / f"workspace-{args.size}"
    try:
        if not (workspace / "records").is_dir():
            bench.write_workspace(workspace, args.size)
        subprocess.run([*command("", workspace)[:3], "--version"], env=bench.ENV, capture_output=True)  # bytecode
        places = {f"{args.size:,} applications": (workspace, args.runs), "shipped records": (bench.REPO, bench.SHIPPED_RUNS)}
        load = ", ".join(f"{value:.1f}" for value in bench.os.getloadavg())
        print(f"{bench.os.cpu_count()} CPUs, load average before: {load}")
        print("median wall and CPU times (CPU: user + system, workers included; steadier on a busy machine)")
        print("gain = time without the device / time with it - 1\n")
        for place, (root, runs) in places.items():
            print(place)
            for name, (which, patch) in DEVICES.items():
                if args.only not in name:
                    continue
                scratch = base / f"scratch-{place.split()[0]}" / name.split()[0]
                found = paired(patch, which, root, scratch, runs)
                (wall, cpu), (wall_without, cpu_without) = found["with"], found["without"]
                print(
                    f"  {name:<42} {which}: wall {wall:.3f}s -> {wall_without:.3f}s ({wall_without / wall - 1:+.0%}),"
                    f" CPU {cpu:.3f}s -> {cpu_without:.3f}s ({cpu_without / cpu - 1:+.0%})",
                    flush=True,
                )
            print()
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
