"""kopa init --ci github|gitlab: the workflow files, checked against GitHub's and GitLab's
published schemas (check-jsonschema's built-in copies) and their shell with `bash -n`; the
pre-commit config and this repository's hook manifest, checked by pre-commit itself."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import REPO, SHIPPED_RECORDS, run_kopa
from kopa_cli.commands import ci

BIN = Path(sys.executable).parent
FROM_GIT = {"url": "https://git.example.org/kuntaliitto/kopa.git", "vcs_info": {"vcs": "git", "commit_id": "0123456789abcdef0123456789abcdef01234567"}}


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:  # the test extra installs both
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def check(*args: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def read_yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def shell_is_valid(script: str) -> None:
    check("bash", "-n", "-c", script)


def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "records repo ä"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def test_github_workflow(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    result = run_kopa("init", str(repo / "kopa"), "--ci", "github")
    assert result.exit_code == 0
    workflow = repo / ".github/workflows/kopa.yml"
    check(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow))
    data = read_yaml(workflow)
    assert data["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = data["jobs"]["records"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    for script in runs:
        shell_is_valid(script)
    assert "kopa fmt --check" in runs and "kopa validate --format github" in runs
    fees = next(script for script in runs if "kopa fees" in script)
    assert 'kopa fees --compare "origin/$BASE_REF" --format md > kopa-fees.md' in fees and '>> "$GITHUB_STEP_SUMMARY"' in fees
    comment = steps[-1]
    assert comment["uses"].startswith("marocchino/sticky-pull-request-comment@")
    assert comment["with"] == {"header": "kopa-fees", "path": "kopa-fees.md"}
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    assert data["jobs"]["records"]["env"] == {"KOPA_PIP_SPEC": "${{ vars.KOPA_PIP_SPEC }}"}
    assert "Next: set the CI variable KOPA_PIP_SPEC" in run_kopa("--lang", "en", "init", str(repo / "other"), "--ci", "gitlab").stdout


def gitlab_script(job: dict) -> str:
    return "\n".join([*job["before_script"], *job["script"]])


def test_gitlab_ci(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    assert run_kopa("init", str(repo / "kopa"), "--ci", "gitlab").exit_code == 0
    pipeline = repo / ".gitlab-ci.yml"
    check(tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(pipeline))
    data = read_yaml(pipeline)
    job = data["kopa"]
    assert job["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json"}
    script = gitlab_script(job)
    shell_is_valid(script)
    assert "kopa validate --format gitlab > gl-code-quality-report.json" in script
    assert 'kopa fees --compare "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --format md > kopa-fees.md' in script
    # the merge request note: Python between the NOTE lines, run only with a token
    note = script.split("<<'NOTE'", 1)[1].split("\n", 1)[1].split("\nNOTE\n", 1)[0]
    compile(note, "note", "exec")
    assert "KOPA_GITLAB_TOKEN" in note and "merge_requests" in note
    assert data["variables"]["KOPA_PIP_SPEC"] == ""


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_existing_workspace_gets_only_the_ci_files_and_nothing_is_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repository(tmp_path)
    shutil.copytree(SHIPPED_RECORDS, repo / "kopa" / "records")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    before = digest(repo / "kopa")
    monkeypatch.chdir(repo / "kopa" / "records")  # inside the workspace: it is found upwards
    result = run_kopa("--lang", "en", "init", "--ci", "github")
    assert result.exit_code == 0
    assert digest(repo / "kopa") == before
    assert (repo / ".github/workflows/kopa.yml").is_file()
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == "repos: []\n"
    assert f"Kept {repo / '.pre-commit-config.yaml'} as it is" in result.stdout
    again = run_kopa("--lang", "en", "init", "--ci", "github")
    assert again.exit_code == 2
    assert again.stderr == f"kopa: {repo / '.github/workflows/kopa.yml'} already exists; kopa does not overwrite it (move it away to have kopa write a new one)\n"
    monkeypatch.chdir(repo)  # at the repository's top: the workspace below
    assert run_kopa("init", "--ci", "gitlab").exit_code == 0 and (repo / ".gitlab-ci.yml").is_file()
    assert digest(repo / "kopa") == before


def test_kopa_installed_from_git_is_what_ci_and_pre_commit_install(tmp_path: Path) -> None:
    source = ci.installed_source(FROM_GIT)
    assert source.pip_spec == "kopa @ git+https://git.example.org/kuntaliitto/kopa.git@0123456789abcdef0123456789abcdef01234567"
    repo = repository(tmp_path)
    shutil.copytree(SHIPPED_RECORDS, repo / "records")
    created, kept, _source = ci.write(repo, "github", FROM_GIT)
    workflow, config = created
    check(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow))
    assert read_yaml(workflow)["jobs"]["records"]["env"]["KOPA_PIP_SPEC"] == f"${{{{ vars.KOPA_PIP_SPEC || '{source.pip_spec}' }}}}"
    check(tool("pre-commit"), "validate-config", str(config))
    (hooks,) = read_yaml(config)["repos"]
    assert hooks == {"repo": FROM_GIT["url"], "rev": FROM_GIT["vcs_info"]["commit_id"], "hooks": [{"id": "kopa-validate"}, {"id": "kopa-fmt"}]}
    ci.write(repo, "gitlab", FROM_GIT)
    check(tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(repo / ".gitlab-ci.yml"))
    assert read_yaml(repo / ".gitlab-ci.yml")["variables"]["KOPA_PIP_SPEC"] == source.pip_spec


@pytest.mark.parametrize("direct_url", [
    None,
    {"url": "file:///home/me/kopa", "dir_info": {"editable": True}},  # pip install -e .
    {"url": "file:///home/me/kopa", "vcs_info": {"vcs": "git", "commit_id": "0" * 40}},  # a local clone
    {"url": "https://example.org/kopa-1.0.whl", "archive_info": {}},
])
def test_other_installs_name_no_source(direct_url: dict | None) -> None:
    assert ci.installed_source(direct_url) is None


def test_the_hook_manifest() -> None:
    manifest = REPO / ".pre-commit-hooks.yaml"
    check(tool("pre-commit"), "validate-manifest", str(manifest))
    hooks = {hook["id"]: hook for hook in read_yaml(manifest)}
    assert {hook: hooks[hook]["entry"] for hook in hooks} == {"kopa-validate": "kopa validate", "kopa-fmt": "kopa fmt --check"}
    for hook in hooks.values():
        assert (hook["language"], hook["pass_filenames"], hook["require_serial"], hook["files"]) == ("python", False, True, "(^|/)records/")


def test_a_workflow_already_there_stops_a_new_workspace_before_it_is_made(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    (repo / ".gitlab-ci.yml").write_text("stages: [test]\n", encoding="utf-8")
    result = run_kopa("--lang", "en", "init", str(repo / "new" / "kopa"), "--ci", "gitlab")
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert not (repo / "new").exists()
