"""kopa init --ci github|gitlab: CI for a records repository, and its pre-commit config.

The files go to the top of the git repository holding the workspace (GitHub reads
workflows only there), or to the workspace itself outside a repository. Nothing is
overwritten: the workflow must be new; a pre-commit config already there is kept.

Where CI installs kopa from: kopa is not on PyPI, so the workflows install the pip
requirement in ``KOPA_PIP_SPEC`` (e.g. ``kopa @ git+https://github.com/ORG/kopa@v1.0``), a
repository (GitHub) or CI/CD (GitLab) variable the user sets once. When this kopa was itself
installed from a git repository over the network, that repository and commit are written in
as the default (PEP 610's ``direct_url.json``), so the files work as written and CI runs the
very kopa that wrote them; the pre-commit config then names the same repository and commit,
and pre-commit installs kopa by itself. Otherwise the pre-commit hooks run the ``kopa`` of
the user's environment (``language: system``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from kopa_cli.core.errors import CiFileExists, GitError
from kopa_cli.core.files import create_new

CI_FILES = {"github": ".github/workflows/kopa.yml", "gitlab": ".gitlab-ci.yml"}
CI_TEMPLATES = {"github": "ci/github.yml.j2", "gitlab": "ci/gitlab-ci.yml.j2"}
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
PRE_COMMIT_TEMPLATE = "ci/pre-commit-config.yaml.j2"


@dataclass(frozen=True)
class KopaSource:
    """A git repository kopa can be installed from, and the commit to install."""

    repository: str  # its URL, as pip and pre-commit take it
    commit: str

    @property
    def pip_spec(self) -> str:
        return f"kopa @ git+{self.repository}@{self.commit}"


def installed_source(direct_url: dict[str, Any] | None) -> KopaSource | None:
    """The git repository a ``direct_url.json`` (PEP 610) names, if kopa was installed from
    one over the network; None for a local folder, a wheel file or an index."""
    if not isinstance(direct_url, dict):
        return None
    vcs, url = direct_url.get("vcs_info"), direct_url.get("url")
    if not isinstance(vcs, dict) or vcs.get("vcs") != "git" or not isinstance(url, str):
        return None
    commit = vcs.get("commit_id")
    if not isinstance(commit, str) or not url.startswith(("https://", "ssh://", "git://")):
        return None
    return KopaSource(url, commit)


def _direct_url() -> dict[str, Any] | None:
    try:
        text = metadata.distribution("kopa").read_text("direct_url.json")
        return json.loads(text) if text else None
    except (metadata.PackageNotFoundError, ValueError, OSError):
        return None


def repository_top(workspace: Path) -> Path:
    """The top folder of the git repository holding ``workspace`` (which may not exist yet),
    else ``workspace``."""
    from kopa_cli.load.gitsource import locate

    workspace = workspace.resolve()
    try:
        return locate(next(folder for folder in (workspace, *workspace.parents) if folder.is_dir()))[0]
    except GitError:
        return workspace


def new_workflow(top: Path, ci: str) -> Path:
    """Where the ``ci`` workflow goes in the folder ``top``. Raises CiFileExists if it is there already."""
    workflow = top / CI_FILES[ci]
    if workflow.exists() or workflow.is_symlink():
        raise CiFileExists(path=workflow)
    return workflow


def _expression_string(text: str) -> str:
    """A string literal of a GitHub Actions expression: in single quotes, each doubled."""
    return "'" + text.replace("'", "''") + "'"


def write(workspace: Path, ci: str, direct_url: dict[str, Any] | None = None) -> tuple[list[Path], list[Path], KopaSource | None]:
    """Write the ``ci`` ("github" or "gitlab") workflow and the pre-commit config for the
    workspace; returns the files (created, kept) and where they install kopa from, if known.
    ``direct_url`` stands in for the installed kopa's own (tests). Raises CiFileExists if the
    workflow is there already, TemplateFailed if a template fails."""
    from kopa_cli.render import templating

    top = repository_top(workspace)
    workflow = new_workflow(top, ci)
    source = installed_source(direct_url if direct_url is not None else _direct_url())
    context = {
        "pip_spec": source.pip_spec if source else "",
        "pip_spec_expression": _expression_string(source.pip_spec) if source else "",
        "hook_repository": source.repository if source else "",
        "hook_rev": source.commit if source else "",
    }
    # rendered first, so a broken template leaves nothing half-made behind
    texts = {
        workflow: templating.render(workspace, CI_TEMPLATES[ci], **context),
        top / PRE_COMMIT_CONFIG: templating.render(workspace, PRE_COMMIT_TEMPLATE, **context),
    }
    created, kept = [], []
    for path, text in texts.items():
        if path != workflow and (path.exists() or path.is_symlink()):
            kept.append(path)
            continue
        create_new(path, text)
        created.append(path)
    return created, kept, source
