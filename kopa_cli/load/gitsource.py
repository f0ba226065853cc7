"""Record files as they are in a git revision: a workspace ``Source`` read from git.

Only ``git rev-parse``, ``git ls-tree`` and one ``git cat-file --batch`` run: nothing is
checked out, and neither the working tree nor the index changes. The workspace may be
a subfolder of the repository. Links (mode 120000) and submodules become diagnostics;
kopa never follows them, as in the working tree a link may point anywhere.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, Msg, diagnostic
from kopa_cli.core.errors import GitError, GitNotInstalled, KopaError, NotAGitRepository, RevisionNotFound
from kopa_cli.core.i18n import N_
from kopa_cli.load.kinds import RECORDS
from kopa_cli.load.recordfiles import max_bytes, too_large

LINK_MODE = "120000"


def _git(cwd: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    # Literal pathspecs: a folder name with '*' or ':' is a name, not a pattern. No optional
    # locks: reading a revision must not even refresh the index.
    env = {**os.environ, "GIT_LITERAL_PATHSPECS": "1", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise GitNotInstalled() from None
    except OSError as error:  # git found but not runnable, say
        raise GitError(repository=cwd, detail=error.strerror or type(error).__name__) from None


def _detail(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else f"exit {result.returncode}"


def locate(root: Path) -> tuple[Path, str]:
    """The top folder of the git repository holding ``root``, and ``root`` relative to it
    ("" or ending in "/"). Raises NotAGitRepository."""
    # One answer a call: each is the name and one line break, and a name may hold line breaks too
    answers = []
    for question in ("--show-toplevel", "--show-prefix"):
        located = _git(root, "rev-parse", question)
        if located.returncode != 0:
            raise NotAGitRepository(path=root, detail=_detail(located))
        answers.append(os.fsdecode(located.stdout.removesuffix(b"\n")))
    top, prefix = answers
    return Path(top), prefix


def _commit(repository: Path, revision: str) -> str:
    """The full id of the commit ``revision`` names. Raises RevisionNotFound."""
    resolved = _git(repository, "rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}")
    if resolved.returncode != 0:
        raise RevisionNotFound(revision=revision, repository=repository)
    return resolved.stdout.decode().strip()


@dataclass(frozen=True)
class Changes:
    """Record files changed since a revision, relative to the workspace: ``changed`` exist now
    (edited, added, untracked, or the new name of a renamed file), ``removed`` do not (deleted,
    or the old name of a renamed file)."""

    changed: frozenset[str]
    removed: frozenset[str]


def changes_since(root: Path, revision: str) -> Changes:
    """What changed in the workspace at ``root`` since ``revision``: committed since, staged,
    not staged, and untracked files (those .gitignore does not exclude).

    Two git commands, from the repository's top folder: ``git diff --name-status -z -M
    <commit>`` (the commit against the files as they are now) and ``git ls-files --others
    --exclude-standard -z``, both limited to the workspace's records/. Raises
    NotAGitRepository, RevisionNotFound, GitError."""
    repository, prefix = locate(root)
    commit = _commit(repository, revision)
    records = f"{prefix}{RECORDS}/"
    diff = _git(repository, "diff", "--name-status", "-z", "-M", "--no-ext-diff", commit, "--", records)
    untracked = _git(repository, "ls-files", "--others", "--exclude-standard", "-z", "--", records)
    for result in (diff, untracked):
        if result.returncode != 0:
            raise GitError(repository=repository, detail=_detail(result))
    changed: set[str] = set()
    removed: set[str] = set()
    fields = [os.fsdecode(f) for f in diff.stdout.split(b"\0")]
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status[0] in "RC":  # renamed or copied: the old path, then the new one
            old, new = fields[index + 1], fields[index + 2]
            if status[0] == "R":
                removed.add(old)
            changed.add(new)
            index += 3
            continue
        (removed if status[0] == "D" else changed).add(fields[index + 1])
        index += 2
    changed.update(os.fsdecode(f) for f in untracked.stdout.split(b"\0") if f)

    def in_workspace(paths: set[str]) -> frozenset[str]:
        return frozenset(path[len(prefix):] for path in paths if path.startswith(prefix))

    return Changes(in_workspace(changed), in_workspace(removed))


@dataclass(frozen=True)
class Entry:
    mode: str
    kind: str  # blob, commit (submodule)
    object: str
    size: int | None  # None for submodules


def _parse_tree(output: bytes, prefix: str) -> dict[str, Entry]:
    """``ls-tree -r -l -z`` output to {workspace-relative path: entry}."""
    entries: dict[str, Entry] = {}
    for record in output.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, obj, size = meta.decode("ascii").split()
        path = os.fsdecode(raw_path)
        if not path.startswith(prefix):
            continue
        entries[path[len(prefix):]] = Entry(mode, kind, obj, None if size == "-" else int(size))
    return entries


def _hidden(path: str) -> bool:
    # As DirectorySource: names starting with a dot (editor and OS files) are not records.
    return any(part.startswith(".") for part in path.split("/"))


@dataclass
class GitSource:
    """The records of the workspace at ``root`` as they are in ``revision``."""

    repository: Path  # the repository's top folder
    prefix: str  # the workspace folder relative to it, "" or ending in "/"
    revision: str  # as the user wrote it, for messages
    commit: str  # the full commit id it names
    entries: dict[str, Entry] = field(default_factory=dict)
    _blobs: dict[str, bytes] | None = None

    @classmethod
    def open(cls, root: Path, revision: str, folder: str = RECORDS) -> GitSource:
        """Find the repository around ``root`` and list its records at ``revision`` (those
        under ``folder`` of the workspace: all of them, or one kind's)."""
        repository, prefix = locate(root)
        commit = _commit(repository, revision)
        listed = _git(repository, "ls-tree", "-r", "-l", "-z", "--full-tree", commit, "--", f"{prefix}{folder}/")
        if listed.returncode != 0:
            raise GitError(repository=repository, detail=_detail(listed))
        entries = {path: entry for path, entry in _parse_tree(listed.stdout, prefix).items() if not _hidden(path)}
        return cls(repository, prefix, revision, commit, dict(sorted(entries.items())))

    def paths(self) -> Iterator[str]:
        return iter(self.entries)

    def read(self, path: str) -> bytes | Diagnostic:
        entry = self.entries[path]
        if entry.mode == LINK_MODE:
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=Msg(N_("a symbolic link in the git revision; kopa does not follow links")))
        if entry.kind != "blob":
            return diagnostic(path, (1, 1), codes.UNREADABLE, reason=Msg(N_("a git submodule, not a file")))
        if entry.size is not None and entry.size > max_bytes(path):
            return too_large(path, entry.size)
        if self._blobs is None:
            self._blobs = self._read_blobs()
        return self._blobs[entry.object]

    def _read_blobs(self) -> dict[str, bytes]:
        """Every readable blob at once, through one ``git cat-file --batch``."""
        wanted = sorted({
            e.object for path, e in self.entries.items()
            if e.kind == "blob" and e.mode != LINK_MODE and (e.size or 0) <= max_bytes(path)
        })
        result = _git(self.repository, "cat-file", "--batch", input="".join(f"{o}\n" for o in wanted).encode())
        if result.returncode != 0:
            raise GitError(repository=self.repository, detail=_detail(result))
        blobs: dict[str, bytes] = {}
        output, position = result.stdout, 0
        for _ in wanted:
            # "<object> SP <type> SP <size> LF <content> LF" for each requested object
            end = output.index(b"\n", position)
            header = output[position:end].decode("ascii", "replace").split()
            if len(header) != 3:  # "<object> missing": a broken or partial clone
                raise GitError(repository=self.repository, detail=" ".join(header))
            obj, _kind, size = header
            start = end + 1
            blobs[obj] = output[start:start + int(size)]
            position = start + int(size) + 1
        return blobs


LEDGERS = f"{RECORDS}/invoices"  # the invoice ledgers' folder (kinds.py), compared with HEAD


def committed_ledgers(root: Path) -> GitSource | None:
    """The invoice ledgers as the last commit (HEAD) holds them, for the append-only rule.

    None where there is nothing to compare with: the workspace has no records/invoices/
    folder, is not in a git repository, the repository has no commit yet, or git is not
    installed. Only the listing runs here; the files are read on first ``read``."""
    if not (root / LEDGERS).is_dir():
        return None
    try:
        return GitSource.open(root, "HEAD", LEDGERS)
    except KopaError:
        return None


def ledger_key(head: GitSource | None) -> str:
    """What the cache must know of HEAD's ledgers: their paths and blob ids ("" for none)."""
    if head is None:
        return ""
    return "head:" + ";".join(f"{path}={entry.object}" for path, entry in head.entries.items())


def ledger_texts(head: GitSource | None, root: Path) -> dict[str, bytes] | None:
    """The bytes at HEAD of each ledger whose entries there may have changed since, by
    workspace path (one removed from the working tree too); None for nothing to compare with.

    A ledger the same as at HEAD, or HEAD's text followed by new entries (what `kopa invoice`
    does), has no committed entry changed, so it is left out: parsing HEAD's version of a
    ledger of 10 000 entries costs seconds (benchmarks/ledger.py)."""
    if head is None or not head.entries:
        return None
    texts = {}
    for path in head.entries:
        data = head.read(path)
        if isinstance(data, bytes) and not _appended_to(data, _working_bytes(root / path)):
            texts[path] = data
    return texts


def _appended_to(committed: bytes, working: bytes | None) -> bool:
    """``working`` is ``committed`` itself, or it followed by empty lines and comment lines that
    start at the left margin and then nothing, or a new list item (``- `` at the left margin):
    such text cannot change what the committed lines hold. Anything else, such as an indented
    line after a comment (it adds a key to the last entry), is left to comparing the entries.
    Empty lines are allowed only where no block scalar keeps its trailing lines (``|+``, ``>+``),
    which would take them in."""
    if working is None or not working.startswith(committed):
        return False
    added = working[len(committed):]
    if not added:
        return True
    if committed and not committed.endswith(b"\n"):
        return False
    blank_allowed = _KEEPING_BLOCK.search(committed) is None
    for line in added.splitlines(keepends=True):
        content = line.rstrip(b"\r\n")
        if not (content.startswith(b"#") or (not content and blank_allowed)):
            return line.startswith(b"- ")
    return True


_KEEPING_BLOCK = re.compile(rb"[|>][1-9]?\+")  # a block scalar header with keep chomping (YAML 1.2, 8.1.1.2)


def _working_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
