"""What the loader refused is noted on the record's origin (load/structure.py ``refused``),
so that no rule calls "missing" what was written but refused: in one run, and in a later run
that takes the record from the cache."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_kopa
from kopa_cli.core.origin import Origin
from kopa_cli.load import plaindata
from kopa_cli.load.records import Organization
from kopa_cli.load.structure import refused, structure

PILOT = "records/pilots/sydosterbotten-utbildning.yaml"


def test_refused_paths_travel_with_the_origin_through_the_cache() -> None:
    origin = Origin("records/organizations/x.yaml", values={("population", 2019): (3, 9)})
    org, problems = structure(Organization, {"name": "X", "population": {2019: -1}, "fax": "1"}, origin)
    assert [d.code for d in problems] != []
    copy = plaindata.decode(json.loads(json.dumps(plaindata.encode(org))))  # as the cache keeps it
    assert type(copy) is Organization
    for record in (org, copy):
        assert refused(record, "population") and refused(record, "population", 2019) and refused(record, "fax")
        assert not refused(record, "name") and not refused(record, "billing_email")


def _codes(workspace: Path) -> list[tuple[str, str]]:
    result = run_kopa("validate", "--format", "json", workspace=workspace)
    assert result.exit_code == 1
    return [(d["path"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_a_refused_weight_is_not_also_missing_when_read_from_the_cache(shipped: Path) -> None:
    pilot = shipped / PILOT
    text = pilot.read_text(encoding="utf-8")
    weight = next(line for line in text.splitlines() if "weight:" in line)
    pilot.write_text(text.replace(weight, weight.split("weight:")[0] + "weight: 1.5"), encoding="utf-8")
    assert _codes(shipped) == [(PILOT, "KOPA216")]
    call = shipped / "records" / "call.yaml"  # another file changes: the pilot comes from the cache
    call.write_text(call.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert _codes(shipped) == [(PILOT, "KOPA216")]
