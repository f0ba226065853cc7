"""The shipped workspace is the first thing a user runs kopa on: it must be clean."""

import json

from conftest import REPO, run_kopa


def test_shipped_records_validate_without_errors_or_warnings():
    result = run_kopa("validate", "--format", "json", "--strict", workspace=REPO)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["errors"] == 0 and report["warnings"] == 0
    assert report["files"] >= 1 + 12 + 5 + 3
    assert all(0 < item["count"] <= 5000 for item in report["lengths"])
