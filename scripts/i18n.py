"""Translations: `python scripts/i18n.py extract` refreshes the catalogues, `compile` builds .mo files.

English is the source language: its catalogue is filled from the message ids. The zh_CN catalogue is
written by people; tests/test_i18n.py fails while any zh_CN message is missing or fuzzy.
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def extract() -> None:
    """Extract messages from code and templates and merge them into every catalogue."""
    subprocess.run(
        [
            PYBABEL,
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(POT),
            ".",
        ],
        check=True,
        cwd=ROOT,
    )
    subprocess.run(
        [
            PYBABEL,
            "-q",
            "update",
            "-i",
            str(POT),
            "-d",
            str(TRANSLATIONS),
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ],
        check=True,
        cwd=ROOT,
    )
    fill_english()


def fill_english() -> None:
    """English messages are their own ids."""
    path = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, no_location=True, sort_output=True)


def compile_all() -> None:
    """Build the .mo files the app reads (generated, never committed)."""
    subprocess.run([PYBABEL, "-q", "compile", "-d", str(TRANSLATIONS)], check=True, cwd=ROOT)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    {"extract": extract, "compile": compile_all}[command]()
