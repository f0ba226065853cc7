"""Templates get read-only records: the immutable sandbox and read-only data, each on its own."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from conftest import build_tree, run_kopa
from kopa_cli.core.errors import TemplateFailed
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import load_workspace
from kopa_cli.render import templating

TEMPLATE = "templates/new/organization.yaml.j2"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("statement", "method"),
    [
        ("{% set _ = call.fee.vat.clear() %}", "clear"),
        ("{% set _ = call.goals.update({6: 'x'}) %}", "update"),
        ("{{ call.goals.pop(1) }}", "pop"),
        ("{% set _ = call.education_forms.append('x') %}", "append"),
        ("{% set _ = call.organizer.contacts.clear() %}", "clear"),
        ("{% set _ = call.fee.vat.setdefault('2030-01-01', '0') %}", "setdefault"),
    ],
)
def test_kopa_new_refuses_a_template_that_changes_a_record(shipped: Path, statement: str, method: str) -> None:
    build_tree(shipped, {TEMPLATE: f"name: x\n{statement}\ntype: other\n"})
    before = _tree(shipped)
    result = run_kopa("--lang", "en", "new", "organization", "uusi", workspace=shipped)
    assert result.exit_code == 1
    assert result.stderr == (
        f"kopa: {TEMPLATE}, line 2: a template may only read the records it is given, but this one tries to change them ('{method}')\n"
    )
    assert "Traceback" not in result.output
    assert _tree(shipped) == before


def test_the_records_are_unchanged_after_a_template_tried_to_change_them(shipped: Path) -> None:
    workspace = load_workspace(shipped, DirectorySource(shipped))
    build_tree(shipped, {TEMPLATE: "{% set _ = call.fee.vat.clear() %}\n{{ call.fee.vat | length }}\n"})
    with pytest.raises(TemplateFailed):
        templating.render(shipped, "new/organization.yaml.j2", call=workspace.call)
    assert len(workspace.call.fee.vat) == 3
    assert workspace.call == load_workspace(shipped, DirectorySource(shipped)).call


def test_the_sandbox_alone_refuses_to_change_a_mutable_value(tmp_path: Path) -> None:
    """Without the read-only copy (a plain dict from a method), jinja2's immutable sandbox refuses."""
    build_tree(tmp_path, {"templates/t.txt.j2": "{% set _ = fee.vat_table().clear() %}\n"})
    table = {"2013-01-01": "24"}

    class Fee:
        def vat_table(self) -> dict[str, str]:
            return table

    with pytest.raises(TemplateFailed) as failure:
        templating.render(tmp_path, "t.txt.j2", fee=Fee())
    assert "'clear' of 'dict' object is unsafe" in failure.value.message
    assert table == {"2013-01-01": "24"}


def test_the_read_only_copy_alone_cannot_be_changed_and_equals_the_record(shipped: Path) -> None:
    call = load_workspace(shipped, DirectorySource(shipped)).call
    copy = templating.read_only(call)
    assert copy == call and copy is not call
    assert isinstance(copy.fee.vat, MappingProxyType) and isinstance(copy.education_forms, tuple)
    with pytest.raises(AttributeError):
        copy.fee.vat.clear()  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        copy.goals[6] = "x"  # type: ignore[index]
    assert templating.read_only({"a": [1, {2}], "b": None}) == {"a": (1, frozenset({2})), "b": None}
