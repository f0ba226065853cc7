"""The README's two commands are the project's promise to a new user; CI runs the second one."""

import re

from conftest import REPO


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_the_readme_starts_with_an_install_and_run_command_and_a_test_command():
    run, test = readme_commands()
    assert "kopa validate" in run and "kopa fees" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_exactly():
    _, test = readme_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci


def test_the_readme_says_where_the_command_is_and_how_to_start_a_records_repository():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/kopa" in text and ". .venv/bin/activate" in text
    own = text.split("## Your own records repository", 1)[1].split("\n## ", 1)[0]
    steps = re.findall(r"```sh\n(.+?)\n```", own, re.S)[0].splitlines()
    assert steps[0] == "git init"
    assert any(step.startswith(".venv/bin/kopa init") for step in steps)


def test_the_records_repository_steps_work(tmp_path):
    # The README's steps without the install: a new git repository, kopa init, a clean validate.
    import subprocess

    from conftest import run_kopa

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert run_kopa("init", str(tmp_path)).exit_code == 0
    result = run_kopa("validate", workspace=tmp_path)
    assert result.exit_code == 0
    assert (tmp_path / "records/call.yaml").is_file() and (tmp_path / ".git").is_dir()


def test_the_readme_example_is_what_kopa_prints(shipped):
    """The example output of 'What it looks like', from its three edits of the shipped records."""
    from conftest import run_kopa

    text = (REPO / "README.md").read_text(encoding="utf-8")
    example = text.split("$ kopa validate\n", 1)[1].split("\n```", 1)[0].splitlines()
    app, pilot = shipped / "records/applications/kainuu-lukiot.md", shipped / "records/pilots/kainuu-lukiot.yaml"
    app.write_text(app.read_text(encoding="utf-8").replace("submitted: 2019-12-10", "submitted: 2019-12-20")
                   .replace("status: selected", "statsu: selected"), encoding="utf-8")
    pilot.write_text(pilot.read_text(encoding="utf-8").replace(
        '    approval: {date: 2020-01-20, body: Kaupunginhallitus, reference: "§ 12"}\n', ""), encoding="utf-8")
    printed = [" ".join(line.split()) for line in run_kopa("validate", workspace=shipped).stdout.splitlines()]
    shown = [" ".join(line.split()) for line in example if line.strip() != "..."]
    assert [line for line in printed if line in shown] == shown


def test_the_pull_request_example_is_what_kopa_prints(tmp_path):
    """'In pull requests': the annotation and the fee summary a reviewer sees when Paltamo
    joins kainuu-lukiot, as kopa prints them against origin/main in a real repository."""
    import re
    import shutil
    import subprocess

    from conftest import SHIPPED_RECORDS, run_kopa

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## In pull requests\n", 1)[1].split("\n## ", 1)[0]
    annotation = section.split("```console\n", 1)[1].split("\n```", 1)[0]
    example = section.split("<!-- kopa fees --compare example -->\n", 1)[1].split("\n<!-- end of example -->", 1)[0]
    summary = "\n".join(line[2:] if line.startswith("> ") else line.lstrip(">") for line in example.splitlines())

    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", str(tmp_path)], check=True)
    shutil.copytree(SHIPPED_RECORDS, tmp_path / "records")
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "records"], cwd=tmp_path, check=True)
    subprocess.run([*git, "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=tmp_path, check=True)
    with (tmp_path / "records/pilots/kainuu-lukiot.yaml").open("a", encoding="utf-8") as stream:
        stream.write('  - org: paltamo\n    approval: {date: 2020-02-20, body: Kunnanhallitus, reference: "§ 40"}\n')

    printed = run_kopa("fees", "--compare", "origin/main", "--format", "md", workspace=tmp_path).stdout.rstrip("\n")
    commit = re.compile(r"origin/main \([0-9a-f]{7,}\)")
    assert commit.sub("origin/main (…)", printed) == commit.sub("origin/main (…)", summary)
    assert annotation in run_kopa("validate", "--format", "github", workspace=tmp_path).stdout.splitlines()
