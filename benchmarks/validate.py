"""How fast is `kopa validate`? Synthetic workspaces against check-jsonschema, and the shipped records.

    python benchmarks/validate.py [--sizes 1000,10000] [--runs 3] [--keep DIR]

For each size it writes a workspace of that many all-YAML applications (2-4 KB of Finnish
text each), about 300 organisations and pilots for a tenth of the applications, then times
in the same run, as subprocesses of the installed `kopa` and `check-jsonschema`:

- `kopa validate` cold: an empty cache (a fresh KOPA_CACHE_DIR) every run;
- `kopa validate` warm: nothing changed since the previous run;
- `check-jsonschema` with kopa's generated application schema on the same application files;

and `kopa validate` on the shipped records/ (median of 10, cold and warm). Each figure is the
median of --runs runs (5 when a run takes under a second). Every kopa run must exit 0 and
report the expected number of files. Finally a hundredth of the largest workspace's
applications is broken, to check that every diagnostic still has its line and column.

Targets (issue 6): the largest workspace cold in at most 0.4x check-jsonschema's time, an
unchanged re-run in at most 0.05x of it, the shipped records in under 0.3 s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FAST = 1.0  # seconds: a run faster than this is repeated 5 times
SHIPPED_RUNS = 10
ORGANIZATIONS = 300
COLD_SHARE, WARM_SHARE, SHIPPED_LIMIT = 0.4, 0.05, 0.3

EDUCATION_FORMS = ["varhaiskasvatus", "perusopetus", "lukiokoulutus", "ammatillinen koulutus", "vapaa sivistystyö", "korkeakoulutus"]
FIRST_NAMES = ["Aino", "Eero", "Helmi", "Ilkka", "Johanna", "Kaisa", "Lauri", "Marja", "Niko", "Outi", "Pekka", "Riitta", "Sanna", "Tapio", "Ulla", "Ville"]
LAST_NAMES = ["Heikkinen", "Karjalainen", "Korhonen", "Lehtonen", "Mäkinen", "Nieminen", "Oksanen", "Pääkkönen", "Rantanen", "Seppälä", "Turunen", "Väisänen"]
TITLES = ["sivistysjohtaja", "opetuspäällikkö", "rehtori", "kehittämispäällikkö", "koulutusjohtaja"]
BODIES = ["Kaupunginhallitus", "Kunnanhallitus", "Sivistyslautakunta", "Yhtymähallitus", "Johtokunta"]
PLACES = ["Kajaani", "Sotkamo", "Kuhmo", "Paltamo", "Puolanka", "Oulu", "Iisalmi", "Kuopio", "Joensuu", "Närpes", "Kaskinen", "Seinäjoki"]


# Synthetic records


def business_id(number: int) -> str:
    """A Y-tunnus with a valid check digit (domain.md: weights 7,9,10,5,8,4,2, mod 11)."""
    while True:
        digits = f"{number:07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2))) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
        number += 1


def shipped_sentences() -> list[str]:
    """Real Finnish sentences to build texts from: those of the shipped applications."""
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted((REPO / "records" / "applications").iterdir()))
    text = re.sub(r"^(---|#|[a-z_]+:).*$", " ", text, flags=re.MULTILINE)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split()))]
    return [s for s in sentences if len(s) > 40 and not s.startswith("-")]


def free_text(rng: random.Random, sentences: list[str], size: int, place: str, bullets: bool) -> str:
    """Paragraphs of about ``size`` bytes; some texts carry a Markdown list, as real ones do."""
    paragraphs, paragraph, used = [], [], 0
    while used < size:
        sentence = rng.choice(sentences).replace("Kainuu", place)
        paragraph.append(sentence)
        used += len(sentence.encode()) + 1
        if len(paragraph) >= rng.randint(3, 6):
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    if bullets and len(paragraphs) > 1:
        items = [rng.choice(sentences)[:90].rsplit(" ", 1)[0].rstrip(" ,.;:") for _ in range(3)]
        paragraphs.insert(1, "\n".join(f"- {item}" for item in items))
    return "\n\n".join(paragraphs)


def block(text: str) -> str:
    return "|\n" + "\n".join(f"  {line}" if line else "" for line in text.split("\n")) + "\n"


def organization(index: int) -> tuple[str, str, bool]:
    """(id, YAML, has a population figure) of the index-th synthetic organisation."""
    municipality = index % 5 != 0  # four in five are municipalities, the rest providers
    org_id = f"kunta-{index:03d}" if municipality else f"opisto-{index:03d}"
    bid = business_id(1_000_000 + index * 7919)
    place = PLACES[index % len(PLACES)]
    lines = [
        "# Synthetic benchmark record.",
        f"name: {'Kunta' if municipality else 'Opisto'} {index:03d} ({place})",
        f"type: {'municipality' if municipality else 'provider'}",
    ]
    if municipality:
        lines.append(f'municipality_code: "{index:03d}"')
    lines += [
        f'business_id: "{bid}"',
        f"language: {'sv' if index % 17 == 0 else 'fi'}",
        f'address: {{street: Kirkkokatu {index % 40 + 1}, postcode: "{10000 + index * 37:05d}", city: {place}}}',
    ]
    if index % 2 == 0:
        lines.append(f'einvoice: {{address: "0037{bid.replace("-", "")}", operator: "003721291126"}}')
    lines.append(f"billing_email: laskut@{org_id}.example.fi")
    if municipality:
        lines.append(f"population: {{2019: {2000 + index * 131 % 40000}}}")
    return org_id, "\n".join(lines) + "\n", municipality


def person(rng: random.Random, org_id: str) -> str:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{first}.{last}@{org_id}.example.fi".lower().replace("ä", "a").replace("ö", "o")
    return f'{{name: {first} {last}, title: {rng.choice(TITLES)}, email: {email}, phone: "+358 40 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"}}'


def write_workspace(root: Path, applications: int, seed: int = 2019) -> dict[str, int]:
    """A clean workspace; returns how many files of each kind it has."""
    rng = random.Random(seed)
    sentences = shipped_sentences()
    records = root / "records"
    for folder in ("organizations", "applications", "pilots"):
        (records / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "records" / "call.yaml", records / "call.yaml")

    orgs = [organization(index) for index in range(1, ORGANIZATIONS + 1)]
    for org_id, text, _ in orgs:
        (records / "organizations" / f"{org_id}.yaml").write_text(text, encoding="utf-8")

    pilots = 0
    for number in range(1, applications + 1):
        app_id = f"hakemus-{number:05d}"
        members = rng.sample(orgs, rng.randint(2, 6))
        responsible = members[0][0]
        submitted = date(2019, 11, 1) + timedelta(days=rng.randint(0, 42))
        selected = number % 10 == 0
        status = "selected" if selected else rng.choice(["submitted", "submitted", "rejected", "withdrawn"])
        place = PLACES[number % len(PLACES)]
        size = rng.randint(2000, 4000)  # bytes of free text, split between goal and plan
        goal = free_text(rng, sentences, size * 2 // 5, place, bullets=False)
        plan = free_text(rng, sentences, size * 3 // 5, place, bullets=number % 3 == 0)
        text = (
            "# Synthetic benchmark record.\n"
            f"name: Koulutus palveluna – {place} {number:05d}\n"
            "call: kopa-2020\n"
            f"submitted: {submitted.isoformat()}\n"
            f"status: {status}\n"
            "responsible:\n"
            f"  organization: {responsible}\n"
            f"  person: {person(rng, responsible)}\n"
            f"members: [{', '.join(m[0] for m in members)}]\n"
            f"education_forms: [{', '.join(rng.sample(EDUCATION_FORMS, rng.randint(1, 3)))}]\n"
            f"goals: [{', '.join(str(g) for g in sorted(rng.sample(range(1, 6), rng.randint(1, 3))))}]\n"
            f"goal: {block(goal)}"
            f"plan: {block(plan)}"
        )
        (records / "applications" / f"{app_id}.yaml").write_text(text, encoding="utf-8")
        if selected:
            pilots += 1
            weights = number % 3 == 0
            lines = [
                "# Synthetic benchmark record.",
                f"application: {app_id}",
                "years: [2020, 2021]",
                f"responsible: {{organization: {responsible}, person: {person(rng, responsible)}}}",
                f"split: {'weights' if weights else 'equal'}",
                "members:",
            ]
            for org_id, _, _ in members:
                approved = date(2020, 1, 8) + timedelta(days=rng.randint(0, 40))
                lines.append(f"  - org: {org_id}")
                lines.append(f'    approval: {{date: {approved.isoformat()}, body: {rng.choice(BODIES)}, reference: "§ {rng.randint(1, 99)}"}}')
                if weights:
                    lines.append(f"    weight: {rng.randint(1, 4)}")
            (records / "pilots" / f"{app_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"call": 1, "organizations": ORGANIZATIONS, "applications": applications, "pilots": pilots}


# Timing


def tool_environment(scratch: Path) -> dict[str, str]:
    """The environment of every timed run: compiled bytecode, as an installed kopa has it.

    With PYTHONDONTWRITEBYTECODE set, an editable install would compile kopa's modules on
    every start; a private PYTHONPYCACHEPREFIX keeps the bytecode without touching the tree.
    """
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    for name in ("KOPA_NO_CACHE", "KOPA_WORKSPACE", "KOPA_CACHE_DIR", "KOPA_DEBUG", "GITHUB_ACTIONS"):
        env.pop(name, None)
    env["KOPA_LANG"] = "en"
    return env


ENV: dict[str, str] = {}


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - start, done


def kopa_run(kopa: Path, workspace: Path, cache: Path, expected_files: int, allow_problems: bool = False) -> tuple[float, dict]:
    env = {**ENV, "KOPA_CACHE_DIR": str(cache)}
    seconds, done = timed([str(kopa), "--workspace", str(workspace), "validate", "--format", "json"], env, workspace)
    if done.returncode not in ((0, 1) if allow_problems else (0,)):
        sys.exit(f"kopa validate exited {done.returncode} on {workspace}:\n{done.stderr.decode()}\n{done.stdout.decode()[:2000]}")
    report = json.loads(done.stdout)
    if report["files"] != expected_files:
        sys.exit(f"kopa validate checked {report['files']} files, expected {expected_files}")
    return seconds, report


def empty_folder(folder: Path) -> Path:
    """A cache folder with nothing in it, also when --keep reuses an earlier run's."""
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def median_of(measure, runs: int) -> float:
    """The median of ``runs`` measurements, or of 5 when one takes under FAST seconds."""
    times = [measure()]
    total = 5 if times[0] < FAST else runs
    times += [measure() for _ in range(total - 1)]
    return statistics.median(times)


def bench_workspace(kopa: Path, checker: Path, workspace: Path, counts: dict[str, int], runs: int, scratch: Path) -> dict[str, float]:
    files = sum(counts.values())
    fresh = itertools.count()

    def cold() -> float:
        return kopa_run(kopa, workspace, empty_folder(scratch / f"cold-{next(fresh)}"), files)[0]

    warm_cache = scratch / "warm"
    kopa_run(kopa, workspace, warm_cache, files)  # fills the cache

    def warm() -> float:
        return kopa_run(kopa, workspace, warm_cache, files)[0]

    schema = scratch / "application.schema.json"
    from kopa_cli.load.schema import json_schema

    schema.write_text(json.dumps(json_schema("applications"), ensure_ascii=False), encoding="utf-8")
    applications = sorted(p.relative_to(workspace).as_posix() for p in (workspace / "records" / "applications").glob("*.yaml"))

    def check_jsonschema() -> float:
        seconds, done = timed([str(checker), "--schemafile", str(schema), *applications], ENV, workspace)
        if done.returncode != 0:
            sys.exit(f"check-jsonschema exited {done.returncode}:\n{done.stdout.decode()[:2000]}{done.stderr.decode()[:2000]}")
        return seconds

    return {"cold": median_of(cold, runs), "warm": median_of(warm, runs), "check-jsonschema": median_of(check_jsonschema, runs)}


def break_applications(workspace: Path, share: int = 100) -> int:
    """Break every ``share``-th application two ways; returns how many problems kopa must find."""
    problems = 0
    for index, path in enumerate(sorted((workspace / "records" / "applications").glob("*.yaml"))):
        if index % share:
            continue
        text = path.read_text(encoding="utf-8")
        text = text.replace("status:", "stauts:", 1)  # an unknown key (status missing is not said again)
        text = re.sub(r"submitted: (\d+)-(\d+)-(\d+)", r"submitted: \3.\2.\1", text, count=1)  # not a date
        path.write_text(text, encoding="utf-8")
        problems += 2
    return problems


def check_positions(kopa: Path, workspace: Path, files: int, expected: int, scratch: Path) -> tuple[float, int]:
    seconds, report = kopa_run(kopa, workspace, empty_folder(scratch / "broken"), files, allow_problems=True)
    located = 0
    for d in report["diagnostics"]:
        lines = (workspace / d["path"]).read_text(encoding="utf-8").count("\n") + 1
        if not (1 <= d["line"] <= lines and d["column"] >= 1):
            sys.exit(f"a diagnostic without a valid position: {d}")
        located += 1
    if report["errors"] != expected:
        sys.exit(f"expected {expected} errors in the broken workspace, kopa found {report['errors']}")
    return seconds, located


def record_files(workspace: Path) -> int:
    """How many record files kopa should report checking (record-format.md's layout)."""
    records = workspace / "records"
    patterns = ("call.yaml", "organizations/*.yaml", "applications/*.md", "applications/*.yaml", "pilots/*.yaml")
    return sum(len(list(records.glob(pattern))) for pattern in patterns)


def bench_shipped(kopa: Path, scratch: Path) -> dict[str, float]:
    files = record_files(REPO)
    fresh = itertools.count()

    def cold() -> float:
        return kopa_run(kopa, REPO, empty_folder(scratch / f"shipped-cold-{next(fresh)}"), files)[0]

    kopa_run(kopa, REPO, scratch / "shipped-warm", files)
    cold_times = [cold() for _ in range(SHIPPED_RUNS)]
    warm_times = [kopa_run(kopa, REPO, scratch / "shipped-warm", files)[0] for _ in range(SHIPPED_RUNS)]
    return {"cold": statistics.median(cold_times), "warm": statistics.median(warm_times)}


# Report


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="numbers of applications, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (5 when a run is under a second)")
    parser.add_argument("--keep", type=Path, help="write the workspaces here and keep them (for profiling)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    kopa, checker = BIN / "kopa", BIN / "check-jsonschema"
    for tool, extra in ((kopa, "pip install -e ."), (checker, "pip install -e '.[bench]'")):
        if not tool.exists():
            sys.exit(f"{tool} not found; run {extra} in this Python's environment first")
    from kopa_cli.load.yamlparse import C_PARSER

    version = subprocess.run([str(checker), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Python {sys.version.split()[0]}, kopa's YAML parser: {'libyaml (C)' if C_PARSER else 'pure Python'}, {version}, {os.cpu_count()} CPUs")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"median of {args.runs} runs (5 when under {FAST:.0f} s); load average before: {load}")
    print(f"workspaces: {ORGANIZATIONS} organisations, all-YAML applications, pilots for 1/10 of them\n")

    base = args.keep or Path(tempfile.mkdtemp(prefix="kopa-bench-"))
    ENV.update(tool_environment(base))
    for tool in (kopa, checker):  # compile the bytecode once, outside the timings
        subprocess.run([str(tool), "--version"], env=ENV, capture_output=True, check=True)
    header = f"{'applications':>12} {'files':>6} {'MB':>5}  {'kopa cold':>10} {'kopa warm':>10} {'check-jsonschema':>17}  {'cold/cjs':>8} {'warm/cjs':>8}"
    results: dict[int, dict[str, float]] = {}
    try:
        shipped = bench_shipped(kopa, base)
        print(header, flush=True)
        for size in sizes:
            workspace = base / f"workspace-{size}"
            shutil.rmtree(workspace, ignore_errors=True)
            counts = write_workspace(workspace, size)
            megabytes = sum(p.stat().st_size for p in (workspace / "records").rglob("*.yaml")) / 1e6
            figures = bench_workspace(kopa, checker, workspace, counts, args.runs, base / f"scratch-{size}")
            results[size] = figures
            cjs = figures["check-jsonschema"]
            print(
                f"{size:>12,} {sum(counts.values()):>6} {megabytes:>5.1f}  {figures['cold']:>9.2f}s {figures['warm']:>9.2f}s {cjs:>16.2f}s"
                f"  {figures['cold'] / cjs:>8.3f} {figures['warm'] / cjs:>8.3f}",
                flush=True,
            )
        print(f"{'shipped':>12} {'':>6} {'':>5}  {shipped['cold']:>9.3f}s {shipped['warm']:>9.3f}s   (median of {SHIPPED_RUNS})")

        largest = max(sizes)
        workspace = base / f"workspace-{largest}"
        expected = break_applications(workspace)
        files = record_files(workspace)
        seconds, located = check_positions(kopa, workspace, files, expected, base / f"scratch-{largest}")
        print(f"\n{largest:,} applications, 1 in 100 broken, cold: {seconds:.2f}s, {located} diagnostics, each with line and column")

        figures = results[largest]
        cold_share = figures["cold"] / figures["check-jsonschema"]
        warm_share = figures["warm"] / figures["check-jsonschema"]
        print("\ntargets")
        print(f"  {largest:,} cold      <= {COLD_SHARE}x  check-jsonschema: {cold_share:.3f}x  {verdict(cold_share <= COLD_SHARE)}")
        print(f"  {largest:,} unchanged <= {WARM_SHARE}x check-jsonschema: {warm_share:.3f}x  {verdict(warm_share <= WARM_SHARE)}")
        slowest = max(shipped.values())
        print(f"  shipped records < {SHIPPED_LIMIT} s (cold and warm): {slowest:.3f} s  {verdict(slowest < SHIPPED_LIMIT)}")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
