"""How fast is `kopa stats import` on a whole table, and `kopa validate` with its result?

Writes a PX file the size of PxWeb table 11re for one pair of years: the whole country and
310 municipalities, ages 0-100 and their total, both sexes and their total, two years (about
190 000 figures, ISO-8859-15, as Statistics Finland writes it), and the same as JSON-stat2.
Prints the median wall time of importing each into a copy of the shipped records, the size
of the record written, and of `kopa validate` with that record (cold, then warm).

    python benchmarks/stats_import.py [--runs 3]
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

REPO = Path(__file__).resolve().parent.parent
KOPA = str(Path(sys.executable).with_name("kopa"))
AREAS = [("SSS", "KOKO MAA")] + [(f"KU{code:03d}", f"Kunta {code}") for code in range(5, 315)]
AGES = [("SSS", "Yhteensä")] + [(f"{age:03d}", f"{age}" if age < 100 else "100 -") for age in range(101)]
SEXES = [("SSS", "Yhteensä"), ("1", "Miehet"), ("2", "Naiset")]
YEARS = ["2018", "2019"]


def figure(*indexes: int) -> int:
    area, age, sex, year = indexes
    if age == 0:
        return 20000 if area else 5_500_000
    return (37 * area + 11 * age + 5 * sex + year) % 200 + 1


def px_text() -> str:
    def quoted(values: list[str]) -> str:
        return ",".join(f'"{v}"' for v in values)

    lines = ['CHARSET="ANSI";', 'AXIS-VERSION="2013";', 'CODEPAGE="iso-8859-15";', 'LANGUAGE="fi";', 'MATRIX="11re";',
             'DESCRIPTION="Väestö iän (1-v.) ja sukupuolen mukaan alueittain, 1972-2019";', 'CONTENTS="Väestö 31.12.";',
             'STUB="Alue","Ikä","Sukupuoli";', 'HEADING="Vuosi";']
    for name, values in (("Alue", AREAS), ("Ikä", AGES), ("Sukupuoli", SEXES), ("Vuosi", [(y, y) for y in YEARS])):
        lines.append(f'VALUES("{name}")={quoted([label for _, label in values])};')
        lines.append(f'CODES("{name}")={quoted([code for code, _ in values])};')
    lines += ['UNITS="henkilöä";', 'SOURCE="Tilastokeskus";', "DATA="]
    for a in range(len(AREAS)):
        for g in range(len(AGES)):
            for s in range(len(SEXES)):
                lines.append(" ".join(str(figure(a, g, s, y)) for y in range(len(YEARS))) + " ")
    return "\r\n".join(lines) + ";\r\n"


def jsonstat_text() -> str:
    def dimension(values: list[tuple[str, str]]) -> dict:
        return {"category": {"index": {c: i for i, (c, _) in enumerate(values)}, "label": dict(values)}}

    values = [figure(a, g, s, y) for a in range(len(AREAS)) for g in range(len(AGES)) for s in range(len(SEXES)) for y in range(len(YEARS))]
    dims = {"Alue": AREAS, "Ikä": AGES, "Sukupuoli": SEXES, "Vuosi": [(y, y) for y in YEARS]}
    return json.dumps({"version": "2.0", "class": "dataset", "label": "Väestö 31.12.", "source": "Tilastokeskus", "id": list(dims),
                       "size": [len(v) for v in dims.values()], "dimension": {k: dimension(v) for k, v in dims.items()},
                       "value": values, "extension": {"px": {"tableid": "11re"}}}, ensure_ascii=False)


def timed(*args: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run([KOPA, *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"kopa {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "11re.px").write_bytes(px_text().encode("iso-8859-15"))
        (root / "11re.json").write_text(jsonstat_text(), encoding="utf-8")
        print(f"input: {len(AREAS) * len(AGES) * len(SEXES) * len(YEARS)} figures; 11re.px {(root / '11re.px').stat().st_size // 1024} KB, 11re.json {(root / '11re.json').stat().st_size // 1024} KB")
        for name in ("11re.px", "11re.json"):
            times = []
            for run in range(runs):
                workspace = root / f"ws-{name}-{run}"
                shutil.copytree(REPO / "records", workspace / "records")
                env = {**os.environ, "KOPA_CACHE_DIR": str(root / f"cache-{name}-{run}")}
                times.append(timed("--workspace", str(workspace), "stats", "import", str(root / name), "--name", "kaikki", env=env))
            written = (workspace / "records" / "statistics" / "kaikki.yaml").stat().st_size
            print(f"kopa stats import {name}: {statistics.median(times):.2f} s (median of {runs}); record {written // 1024} KB")
        cold = [timed("--workspace", str(workspace), "validate", env={**os.environ, "KOPA_CACHE_DIR": str(root / f"v{i}")}) for i in range(runs)]
        env = {**os.environ, "KOPA_CACHE_DIR": str(root / "warm")}
        timed("--workspace", str(workspace), "validate", env=env)
        warm = [timed("--workspace", str(workspace), "validate", env=env) for _ in range(runs)]
        print(f"kopa validate with it: cold {statistics.median(cold):.2f} s, warm {statistics.median(warm):.2f} s")


if __name__ == "__main__":
    main()
