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
