"""core/files.py with real processes: a writer killed at the worst moment leaves the old
file whole, a new file never replaces one, and a held lock fails with a clear message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kopa_cli.core import files
from kopa_cli.core.errors import FileLocked, TargetExists
from kopa_cli.core.i18n import set_language

REPO = Path(__file__).resolve().parents[1]


def start(script: str, *args: str) -> subprocess.Popen[str]:
    """A Python process running ``script``; it prints a line when it reaches its point."""
    code = textwrap.dedent(script)
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, cwd=REPO)


def kill_at_the_point(process: subprocess.Popen[str], said: str) -> None:
    assert process.stdout is not None
    assert process.stdout.readline().strip() == said
    process.send_signal(signal.SIGKILL)
    process.wait(10)


STALL_BEFORE = """
    import os, sys, time
    from pathlib import Path
    from kopa_cli.core import files

    def stall(*args):
        print("written", flush=True)
        time.sleep(60)

    os.{call} = stall
    {write}
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_between_writing_and_renaming_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "ledger.yaml"
    target.write_bytes(b"old\n")
    script = STALL_BEFORE.format(call="replace", write="files.replace(Path(sys.argv[1]), b'new\\n' * 100_000)")
    kill_at_the_point(start(script, str(target)), "written")
    assert target.read_bytes() == b"old\n"
    (left,) = [p for p in tmp_path.iterdir() if p != target]  # the new content was whole, on disk
    assert left.name.startswith(".ledger.yaml.") and left.read_bytes() == b"new\n" * 100_000
    files.replace(target, b"new\n")
    assert target.read_bytes() == b"new\n"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_creator_killed_before_naming_the_file_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "records" / "kajaani.yaml"
    script = STALL_BEFORE.format(call="link", write="files.create_new(Path(sys.argv[1]), 'name: Kajaani\\n')")
    kill_at_the_point(start(script, str(target)), "written")
    assert not target.exists()
    files.create_new(target, "name: Kajaani\n")
    assert target.read_bytes() == b"name: Kajaani\n"


def test_create_new_never_replaces_a_file_or_a_link(tmp_path: Path) -> None:
    existing = tmp_path / "kuhmo.yaml"
    existing.write_text("mine\n", encoding="utf-8")
    with pytest.raises(TargetExists):
        files.create_new(existing, "theirs\n")
    assert existing.read_text(encoding="utf-8") == "mine\n"
    dangling = tmp_path / "link.yaml"
    dangling.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(TargetExists):
        files.create_new(dangling, "theirs\n")
    assert not (tmp_path / "nowhere.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kuhmo.yaml", "link.yaml"]  # no temporary left


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    os.umask(mask)
    files.create_new(tmp_path / "a.yaml", "x\n")
    files.replace(tmp_path / "b.yaml", b"x\n")
    for name in ("a.yaml", "b.yaml"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~mask


HOLD = """
    import sys, time
    from pathlib import Path
    from kopa_cli.core import files

    with files.lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
"""


def test_a_lock_held_by_another_process_times_out_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "invoices.yaml"
    monkeypatch.chdir(tmp_path)
    holder = start(HOLD, str(target))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        began = time.monotonic()
        with pytest.raises(FileLocked) as raised:
            with files.lock(target, timeout=0.3):
                pytest.fail("the lock was taken twice")
        assert time.monotonic() - began >= 0.3
        set_language("en")
        assert raised.value.message == (
            "invoices.yaml is being written by another kopa command; waited 0.3 s. Try again when it has finished."
        )
        set_language("fi")
        assert raised.value.message.startswith("Toinen kopa-komento kirjoittaa parhaillaan tiedostoa invoices.yaml")
    finally:
        holder.kill()
        holder.wait(10)
    with files.lock(target, timeout=0):  # the system let go of it when its holder died
        pass


def test_replace_and_lock_say_what_cannot_be_written_instead_of_failing_as_a_bug(tmp_path: Path) -> None:
    from kopa_cli.core import files as files_module
    from kopa_cli.core.errors import CannotCreate

    blocker = tmp_path / "invoices"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(CannotCreate):
        files_module.replace(blocker / "2020.yaml", b"- number: x\n")
    with pytest.raises(CannotCreate):
        with files_module.lock(blocker / ".2020.yaml"):
            pass
    assert blocker.read_text(encoding="utf-8") == "a file where a folder should be"
