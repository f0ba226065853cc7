"""The package's stages import only downward: core <- load <- billing <- check <- render <- commands.

docs/development.md shows the same map; a new module goes in the lowest stage it fits.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kopa_cli"
STAGES = ["core", "load", "billing", "check", "render", "commands"]


def stage_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "kopa_cli" or len(parts) < 2:
        return len(STAGES)  # kopa_cli itself and cli.py sit on top
    return STAGES.index(parts[1]) if parts[1] in STAGES else len(STAGES)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names = [f"{module}.{alias.name}" for alias in node.names] if not node.module else [module]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("kopa_cli.")]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_only_downward(path: Path) -> None:
    own = stage_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
    upward = [f"line {line}: {name}" for line, name in imported_modules(path) if stage_of(name) > own]
    assert not upward, f"{path.relative_to(PACKAGE)} imports a later stage: {upward}"


def test_every_module_is_in_a_stage() -> None:
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top == {"__init__.py", "__main__.py", "cli.py"}
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(STAGES)


def _mapped_modules() -> set[str]:
    """The modules the stage map of docs/development.md names, as ``stage/module.py``."""
    text = (PACKAGE.parent / "docs" / "development.md").read_text(encoding="utf-8")
    mapped, stage = set(), ""
    for row in text.splitlines():
        cells = [cell.strip() for cell in row.strip()[1:-1].split("|")] if row.startswith("|") else []
        if len(cells) != 3 or re.fullmatch("-+", cells[0]):
            continue
        named = re.match(r"`(\w+)/`", cells[0])
        stage = named.group(1) if named else stage if not cells[0] else ""
        mapped |= {f"{stage}/{module}" for module in re.findall(r"`(\w+\.py)`", cells[1])}
    return mapped


def test_every_module_is_on_the_map_in_the_docs() -> None:
    modules = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.glob("*/*.py")
        if not path.name.startswith("__") and path.parent.name != "commands"
    }
    assert sorted(modules - _mapped_modules()) == []
    assert sorted(_mapped_modules() - modules) == []  # nor a module that is gone
