"""Benchmark: `kopa fees --format json` against `kopa validate` on a large workspace.

Generates 1 000 pilots of 10 members each over two fee years (equal, population and
weights splits; some members join in the second year) in a temporary folder, then runs
the installed CLI as a subprocess several times and prints the median wall time of each
command. `kopa fees` validates the records first, so "fees - validate" is what the fee
computation and its output cost on top of validation (target: under 1 s).

    python benchmarks/fees.py [--pilots 1000] [--members 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from validate import business_id  # benchmarks/ is on the path when a script there runs

REPO = Path(__file__).resolve().parents[1]
ORGANIZATIONS = 2000  # pilots draw their members from this pool, so members sit in several pilots


def organization(index: int) -> str:
    return (
        f"name: Esimerkkikunta {index}\n"
        "type: municipality\n"
        f'municipality_code: "{index % 1000:03d}"\n'
        f'business_id: "{business_id(1_000_000 + index * 7)}"\n'
        f'address: {{street: Kunnantie {index}, postcode: "{10000 + index:05d}", city: Esimerkki}}\n'
        f"population: {{2019: {1000 + (index * 7919) % 50000}}}\n"
    )


def application(index: int, members: list[str]) -> str:
    return (
        f"name: Esimerkkipilotti {index}\n"
        "call: kopa-2020\n"
        "submitted: 2019-12-01\n"
        "status: selected\n"
        f"responsible: {{organization: {members[0]}, person: {{name: Testi Henkilö, email: testi@example.invalid}}}}\n"
        f"members: [{', '.join(members)}]\n"
        "education_forms: [perusopetus, lukiokoulutus]\n"
        "goals: [1, 2]\n"
        "goal: Koulutuksen saatavuus harvaan asutulla alueella.\n"
        "plan: Yhteiset etäopetuksen tunnit ja opettajien verkosto.\n"
    )


def pilot(index: int, members: list[str]) -> str:
    split = ("equal", "population", "weights")[index % 3]
    lines = [f"application: app-{index:04d}", "years: [2020, 2021]", f"split: {split}"]
    if split == "population":
        lines.append("population_year: 2019")
    lines.append("members:")
    for position, org in enumerate(members):
        lines.append(f"  - org: {org}")
        lines.append('    approval: {date: 2020-01-20, body: Kunnanhallitus, reference: "§ 1"}')
        if split == "weights":
            lines.append(f"    weight: {1 + position % 4}")
        if position == len(members) - 1 and index % 5 == 0:
            lines.append("    joined: 2021-01-01")
    return "\n".join(lines) + "\n"


def generate(root: Path, pilots: int, members: int) -> None:
    records = root / "records"
    for folder in ("organizations", "applications", "pilots"):
        (records / folder).mkdir(parents=True)
    shutil.copy(REPO / "records/call.yaml", records / "call.yaml")
    for index in range(ORGANIZATIONS):
        (records / "organizations" / f"org-{index:04d}.yaml").write_text(organization(index), encoding="utf-8")
    for index in range(pilots):
        chosen = [f"org-{(index * 13 + k * 197) % ORGANIZATIONS:04d}" for k in range(members)]
        (records / "applications" / f"app-{index:04d}.yaml").write_text(application(index, chosen), encoding="utf-8")
        (records / "pilots" / f"pilot-{index:04d}.yaml").write_text(pilot(index, chosen), encoding="utf-8")


def kopa_command() -> list[str]:
    installed = shutil.which("kopa", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return [installed] if installed else [sys.executable, "-m", "kopa_cli"]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    """Wall time and CPU time (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, default=1000)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kopa-bench-") as folder:
        root = Path(folder)
        generate(root, options.pilots, options.members)
        # Every run parses every file: the cache would hide the cost that both commands share.
        env = {**os.environ, "KOPA_NO_CACHE": "1", "KOPA_LANG": "en"}
        kopa = kopa_command() + ["--workspace", str(root)]
        # The two commands alternate, so that a busy machine slows both alike.
        times: dict[str, list[tuple[float, float]]] = {"validate": [], "fees": []}
        results = {}
        for _ in range(options.runs):
            for name, args in (("validate", ["validate", "--format", "json"]), ("fees", ["fees", "--format", "json"])):
                wall, cpu, results[name] = timed(kopa + args, env)
                times[name].append((wall, cpu))
        if any(result.returncode != 0 for result in results.values()):
            for result in results.values():
                sys.stderr.write(result.stderr.decode()[-2000:])
            return 1
        wall = {name: statistics.median(w for w, _ in runs) for name, runs in times.items()}
        cpu = {name: statistics.median(c for _, c in runs) for name, runs in times.items()}
        lines = results["fees"].stdout.count(b'"pilot"')
        print(f"workspace: {options.pilots} pilots x {options.members} members, 2 fee years, "
              f"{ORGANIZATIONS} organisations; {lines} fee lines; median of {options.runs} runs")
        print(f"kopa validate --format json: {wall['validate']:6.2f} s wall, {cpu['validate']:6.2f} s CPU")
        print(f"kopa fees --format json:     {wall['fees']:6.2f} s wall, {cpu['fees']:6.2f} s CPU")
        print(f"fees on top of validation:   {wall['fees'] - wall['validate']:6.2f} s wall, "
              f"{cpu['fees'] - cpu['validate']:6.2f} s CPU (target: under 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
