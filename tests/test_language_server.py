"""The real yaml-language-server (npm; .ci/run installs it) with a workspace made by kopa init:
the modeline kopa writes leads it to the workspace's schema, so an editor marks an unknown key
as the user types and completes the keys.

One server for the module, spoken to over stdio as an editor does: LSP JSON-RPC messages with
Content-Length headers (initialize, initialized, workspace/didChangeConfiguration,
textDocument/didOpen, then textDocument/publishDiagnostics from the server). Each wait is
bounded, so a server that hangs fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_shipped_workspace, require_program, run_kopa
from kopa_cli.commands.schema import schema_reference
from kopa_cli.load.kinds import BY_NAME
from kopa_cli.load.recordfiles import kind_of

WAIT = 20.0  # seconds for one answer; the server answers in well under one
# The settings an editor would send; schemaStore off: no downloads, only the modeline's schema.
SETTINGS = {"yaml": {"validate": True, "completion": True, "hover": True, "schemaStore": {"enable": False}}}


class LanguageServer:
    """A language server process and the messages it sends, read by a thread into a queue."""

    def __init__(self, program: str) -> None:
        self.process = subprocess.Popen([program, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.last_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers = {}
            while (line := stream.readline().decode("ascii").strip()):
                name, _, value = line.partition(":")
                headers[name.lower()] = value.strip()
            if not headers:  # the server has gone
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.last_id += 1
        asked = self.last_id
        self.send({"id": asked, "method": method, "params": params})
        return self.wait_for(lambda m: m.get("id") == asked and "method" not in m)["result"]

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The next message ``wanted`` picks, answering the server's own requests meanwhile."""
        while True:
            try:
                message = self.messages.get(timeout=WAIT)
            except queue.Empty:
                pytest.fail(f"yaml-language-server sent nothing wanted within {WAIT:g} s")
            if "method" in message and "id" in message:  # a request to the editor
                items = message["params"].get("items", []) if message["method"] == "workspace/configuration" else None
                result = [SETTINGS.get(item.get("section", "").split(".")[0]) for item in items] if items is not None else None
                self.send({"id": message["id"], "result": result})
            elif wanted(message):
                return message

    def open(self, path: Path, text: str, language: str = "yaml") -> list[dict[str, Any]]:
        """Open ``path`` holding ``text`` as an editor does; returns the server's diagnostics."""
        uri = path.resolve().as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}})
        published = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        return published["params"]["diagnostics"]

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.process.wait(timeout=5)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def server() -> Iterator[LanguageServer]:
    started = LanguageServer(require_program("yaml-language-server"))
    try:
        started.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        started.notify("initialized", {})
        started.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        yield started
    finally:
        started.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped records with the schemas kopa init would write beside them."""
    root = copy_shipped_workspace(tmp_path_factory.mktemp("editor"))
    assert run_kopa("schema", "--out", str(root / "schemas")).exit_code == 0
    return root


def _with_modeline(root: Path, relative: str) -> str:
    """A shipped record with the modeline kopa new gives a file at its place."""
    kind = BY_NAME[kind_of(relative)]
    return f"# yaml-language-server: $schema={schema_reference(kind, relative)}\n" + (root / relative).read_text(encoding="utf-8")


def _messages(diagnostics: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return [(d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1, d["message"]) for d in diagnostics]


def test_a_file_kopa_init_created_gets_no_diagnostic(server: LanguageServer, tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    assert run_kopa("init", str(root)).exit_code == 0
    call = root / "records" / "call.yaml"
    assert server.open(call, call.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("relative", ["records/call.yaml", "records/organizations/kajaani.yaml", "records/pilots/kainuu-lukiot.yaml", "records/applications/kainuu-jatkuva-oppiminen.yaml"])
def test_a_record_with_only_valid_keys_gets_no_diagnostic(server: LanguageServer, workspace: Path, relative: str) -> None:
    assert server.open(workspace / relative, _with_modeline(workspace, relative)) == []


def test_an_unknown_key_gets_a_diagnostic_at_the_key(server: LanguageServer, workspace: Path) -> None:
    relative = "records/organizations/kajaani.yaml"
    text = _with_modeline(workspace, relative).replace("\naddress:", "\nosoite: Pohjolankatu 13\naddress:")
    line = text.splitlines().index("osoite: Pohjolankatu 13") + 1
    path = workspace / "records" / "organizations" / "kajaani-misspelt.yaml"
    assert _messages(server.open(path, text)) == [(line, 1, "Property osoite is not allowed.")]


def test_an_unknown_key_inside_a_pilot_member_gets_a_diagnostic(server: LanguageServer, workspace: Path) -> None:
    relative = "records/pilots/kainuu-lukiot.yaml"
    text = _with_modeline(workspace, relative).replace("    approval:", "    aproval:", 1)
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "aproval:" in content)
    diagnostics = _messages(server.open(workspace / "records/pilots/kainuu-misspelt.yaml", text))
    assert (line, 5, "Property aproval is not allowed.") in diagnostics


def test_without_the_modeline_nothing_is_checked(server: LanguageServer, workspace: Path) -> None:
    """The control: the diagnostic above comes from the modeline's schema, not from a guess."""
    text = (workspace / "records/organizations/kajaani.yaml").read_text(encoding="utf-8") + "osoite: x\n"
    assert server.open(workspace / "records/organizations/plain.yaml", text) == []


def test_the_editor_completes_the_keys_of_the_kind(server: LanguageServer, workspace: Path) -> None:
    path = workspace / "records/organizations/new-one.yaml"
    text = "# yaml-language-server: $schema=../../schemas/organization.schema.json\nname: Uusi\nbu"
    server.open(path, text)
    result = server.request("textDocument/completion", {"textDocument": {"uri": path.resolve().as_uri()}, "position": {"line": 2, "character": 2}})
    labels = {item["label"] for item in (result["items"] if isinstance(result, dict) else result)}
    assert {"business_id", "billing_email", "address"} <= labels and "name" not in labels  # name is there


def test_a_modeline_in_markdown_front_matter_is_not_enough(server: LanguageServer, workspace: Path) -> None:
    """Why kopa new writes no modeline into a Markdown application: given one, the server
    reads the whole file as YAML, and the Markdown text after the front matter becomes YAML
    syntax errors (and editors send it no Markdown files anyway: docs/editor.md)."""
    relative = "records/applications/kainuu-lukiot.md"
    text = (workspace / relative).read_text(encoding="utf-8")
    assert text.startswith("---\n")
    with_modeline = "---\n# yaml-language-server: $schema=../../schemas/application.schema.json\n" + text[4:]
    closing = with_modeline.splitlines().index("---", 1) + 1  # the front matter's last line
    diagnostics = server.open(workspace / relative, with_modeline, language="markdown")
    assert diagnostics and all(d["source"] == "YAML" for d in diagnostics)  # syntax, not schema
    assert all(line > closing for line, _, _ in _messages(diagnostics))
