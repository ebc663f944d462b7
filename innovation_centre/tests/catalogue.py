"""The messages that code and templates mark for translation, found by Django's makemessages
run on a copy (the real catalogue in locale/ is never written), and the Latvian catalogue."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

CATALOGUE = settings.BASE_DIR / "locale" / "lv" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
NOT_SOURCES = shutil.ignore_patterns(
    ".*", "__pycache__", "locale", "var", "node_modules", "bench", "*.pyc", "*.png", "*.ttf"
)


def key(entry):
    return (entry.msgctxt, entry.msgid)


@contextmanager
def _working_directory(path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def extracted_messages(sources: list[Path], workdir: Path) -> polib.POFile:
    """What makemessages extracts for Latvian from copies of ``sources`` (folders)."""
    root = workdir / "sources"
    for source in sources:
        shutil.copytree(source, root / source.name, ignore=NOT_SOURCES)
    (root / "locale").mkdir()
    with _working_directory(root), override_settings(LOCALE_PATHS=[]):
        call_command("makemessages", locale=["lv"], verbosity=0, no_obsolete=True)
    extracted = root / "locale" / "lv" / "LC_MESSAGES" / "django.po"
    return polib.pofile(str(extracted)) if extracted.exists() else polib.POFile()


def project_sources() -> list[Path]:
    base = settings.BASE_DIR
    return [
        path
        for path in sorted(base.iterdir())
        if path.is_dir() and not path.name.startswith(".") and (path / "__init__.py").exists()
    ] + [base / "templates"]
