"""Workbooks to PDF (or CSV) through LibreOffice headless: ``soffice --headless --convert-to``.

Each run gives LibreOffice a profile folder of its own (``-env:UserInstallation``) in a temporary
folder: with the user's profile, a conversion would be handed to a LibreOffice the user has open,
or wait on another run's lock, and two parallel runs would collide. All files of a run are
converted by one LibreOffice start (each start costs seconds), up to BATCH of them. The
converted files are written into a temporary folder first and moved into place (core/files.py)
only when every one is there: a file in the output folder is always a whole, new one, and any
file missing after the conversion is an error naming it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from kopa_cli.core import files
from kopa_cli.core.errors import ConversionFailed, ConversionTimedOut, LibreOfficeMissing

# The program's names: "soffice" everywhere, "libreoffice" as some Linux distributions also call it.
PROGRAMS = ("soffice", "libreoffice")
# A start takes 2-5 s and a workbook well under a second; a run that takes longer has hung
# (a dialog waiting in a profile, a damaged file).
TIMEOUT = 120.0
# LibreOffice silently leaves out the files past about 250 of one run (seen here at 247; also
# higebu/3gpp-mcp#4), so a run converts at most BATCH files. (Two runs at once on this 2-core
# machine were no faster than one after the other: benchmarks/einvoices.py --pdf.)
BATCH = 100
# LibreOffice's locale for formats that name no language: Finnish, whatever the machine's.
LOCALE = "fi-FI"
# CSV as UTF-8 (76) with comma separators (44) and double quotes (34), values as shown
# (Finnish number formats kept): LibreOffice's "Text - txt - csv (StarCalc)" filter options.
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


def find_soffice() -> str:
    """The path of LibreOffice's ``soffice`` program: on PATH, else where its installer puts it on
    macOS and Windows (which do not add it to PATH). Raises LibreOfficeMissing without it."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    for path in _installed_places():
        if path.is_file():
            return str(path)
    raise LibreOfficeMissing()


def _installed_places() -> list[Path]:
    if sys.platform == "darwin":
        return [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    if os.name == "nt":
        folders = {os.environ.get(name) for name in ("ProgramFiles", "ProgramFiles(x86)")} - {None}
        return [Path(folder) / "LibreOffice" / "program" / "soffice.exe" for folder in sorted(folders)]
    return []


def convert_to_pdf(paths: Sequence[Path], out_dir: Path, timeout: float = TIMEOUT, locale: str = LOCALE) -> list[Path]:
    """Each workbook (xlsx, ods...) as ``<out_dir>/<its stem>.pdf``; returns those paths in order.

    Raises LibreOfficeMissing when LibreOffice is not installed, ConversionFailed naming the
    first file that is missing after the conversion, ConversionTimedOut after ``timeout`` seconds
    (LibreOffice is then stopped and no file is written)."""
    return convert(paths, out_dir, "pdf", timeout, locale)


def convert(
    paths: Sequence[Path], out_dir: Path, target: str = "pdf", timeout: float = TIMEOUT, locale: str = LOCALE
) -> list[Path]:
    """Each file as ``<out_dir>/<its stem>.<extension>`` in LibreOffice's ``target`` format:
    ``"pdf"``, ``"csv"``, or a format with its filter and options such as ``CSV_UTF8``; the
    extension is the part before the first colon. Returns the written paths in order.
    ``locale`` (a BCP 47 tag) is LibreOffice's locale setting: how numbers and dates whose
    format names no language are shown (Finnish by default: ``2 066,67 €``), whatever the
    machine's locale. ``timeout`` is for each LibreOffice run (of up to BATCH files).

    Raises as convert_to_pdf, and ValueError for two sources with the same stem (they would
    be converted into the same file)."""
    extension = target.partition(":")[0]
    targets = [out_dir / f"{Path(path).stem}.{extension}" for path in paths]
    if len(set(targets)) != len(targets):
        raise ValueError("two files to convert have the same name")
    if not paths:
        return []
    soffice = find_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kopa-libreoffice-") as work:
        made: list[Path] = []
        for number, start in enumerate(range(0, len(paths), BATCH)):
            batch = [Path(path) for path in paths[start : start + BATCH]]
            converted, output = _convert_batch(soffice, Path(work) / str(number), batch, target, timeout, locale)
            for source, final in zip(batch, targets[start : start + BATCH]):
                made.append(converted / final.name)
                if not made[-1].is_file():
                    raise ConversionFailed(target=files.shown(final), source=files.shown(source), detail=output or "-")
        for path, final in zip(made, targets):
            files.replace(final, path.read_bytes())
    return targets


def _convert_batch(
    soffice: str, folder: Path, sources: list[Path], target: str, timeout: float, locale: str
) -> tuple[Path, str]:
    """One LibreOffice run with its own profile: (the folder it wrote into, what it said)."""
    profile, converted = folder / "profile", folder / "out"
    _write_settings(profile, locale)
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--invisible", "--nodefault", "--nofirststartwizard", "--nolockcheck", "--norestore",
        "--convert-to", target, "--outdir", str(converted),
        *(str(source.resolve()) for source in sources),
    ]
    return converted, _run(command, timeout, [source.name for source in sources])


def _write_settings(profile: Path, locale: str) -> None:
    """A new profile's settings: the locale, before LibreOffice first starts with it."""
    settings = profile / "user" / "registrymodifications.xcu"
    settings.parent.mkdir(parents=True)
    settings.write_text(_SETTINGS.format(locale=escape(locale)), encoding="utf-8")


_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
</oor:items>
"""


def _run(command: list[str], timeout: float, sources: list[str]) -> str:
    """Run LibreOffice; its last error, else its last line (English), for a message. Stops it, and every process
    it started, after ``timeout`` seconds."""
    posix = os.name == "posix"
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=posix,  # soffice is a script that starts soffice.bin: stop the whole group
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):  # it may have ended meanwhile
            if posix:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        process.communicate()
        raise ConversionTimedOut(sources=sources, seconds=f"{timeout:g}") from None
    lines = output.decode("utf-8", "replace").strip().splitlines()
    errors = [line for line in lines if line.startswith("Error")]  # "Error: source file could not be loaded"
    return (errors or lines or [""])[-1]
