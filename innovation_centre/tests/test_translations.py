"""Every message in Latvian, for visitors and staff alike.

The project's catalogue (locale/lv/LC_MESSAGES/django.po, built by bin/translations) has a
Latvian translation for every message the code and templates mark, none of them fuzzy; the
libraries the admin shows without Latvian of their own get it from the same catalogue; and where
Django's own Latvian puts a model's name into a sentence in the wrong case, the catalogue says it
so that no case is needed.
"""

import importlib
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from innovation_centre.tests.catalogue import (
    CATALOGUE,
    COMPILED,
    extracted_messages,
    key,
    project_sources,
)


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(CATALOGUE))


def describe(entries):
    return "\n".join(f"  {entry.msgctxt or ''} {entry.msgid!r}" for entry in entries)


def test_every_message_in_the_catalogue_has_a_latvian_translation(catalogue):
    missing = [entry for entry in catalogue if not entry.obsolete and not entry.translated()]
    assert not missing, f"untranslated or fuzzy (run bin/translations):\n{describe(missing)}"


def test_the_compiled_catalogue_is_the_catalogue(catalogue):
    """django.mo is what Django reads: a .po edited but not compiled changes nothing."""
    compiled = {key(entry): entry.msgstr or entry.msgstr_plural for entry in polib.mofile(COMPILED)}
    written = {
        key(entry): entry.msgstr or entry.msgstr_plural for entry in catalogue if entry.translated()
    }
    assert compiled == written, "django.mo is out of date: run bin/translations"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs gettext's msgfmt (apt gettext)")
def test_the_translations_keep_the_placeholders():
    """msgfmt's format check: "%(name)s" or "{0}" lost or misspelt in a translation."""
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_message_in_code_and_templates_is_in_the_catalogue(catalogue, tmp_path):
    extracted = extracted_messages(project_sources(), tmp_path)
    assert len(extracted) > 500  # makemessages did find the project's messages
    known = {key(entry) for entry in catalogue if entry.translated()}
    missing = [entry for entry in extracted if key(entry) not in known]
    assert not missing, f"not in the Latvian catalogue (run bin/translations):\n{describe(missing)}"


# --- the libraries in the admin ---------------------------------------------------------------


def third_party_apps():
    """Installed apps that are neither Django's own nor the project's (those have Latvian)."""
    project = {path.name for path in project_sources()}
    return sorted(
        {
            config.name.split(".")[0]
            for config in apps.get_app_configs()
            if not config.name.startswith("django.") and config.name.split(".")[0] not in project
        }
    )


def in_latvian(entry):
    """``entry`` as Django translates it into Latvian (from any catalogue)."""
    with translation.override("lv"):
        if entry.msgid_plural:
            return ngettext(entry.msgid, entry.msgid_plural, 2)
        if entry.msgctxt:
            return pgettext(entry.msgctxt, entry.msgid)
        return gettext(entry.msgid)


@pytest.mark.parametrize("app", third_party_apps())
def test_a_library_speaks_latvian(app, catalogue, tmp_path):
    """Its messages (models, fields, help, actions: what the admin shows) have Latvian, from its
    own catalogue, Django's, or the project's (locale/fragments/admin_lv_fixes.po)."""
    package = Path(importlib.import_module(app).__path__[0])
    project = {key(entry) for entry in catalogue if entry.translated()}
    missing = [
        entry
        for entry in extracted_messages([package], tmp_path)
        if key(entry) not in project and in_latvian(entry) == (entry.msgid_plural or entry.msgid)
    ]
    assert not missing, f"{app} has no Latvian for:\n{describe(missing)}"


def test_the_libraries_are_found():
    assert {"django_celery_beat", "simple_history"} <= set(third_party_apps())


# --- Django's own Latvian, corrected ----------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "latvian"),
    [
        ("Select %s to change", "Izvēlieties, ko mainīt: %s"),
        ("Add %s", "Pievienot: %s"),
        ("Add another %(verbose_name)s", "Pievienot vēl: %(verbose_name)s"),
    ],
)
def test_django_admin_titles_need_no_case_of_the_models_name(english, latvian):
    with translation.override("lv"):
        assert gettext(english) == latvian


def test_the_admin_list_of_programmes_is_titled_in_correct_latvian(admin_client, settings):
    settings.LANGUAGE_CODE = "lv"
    response = admin_client.get("/admin/courses/programme/", HTTP_ACCEPT_LANGUAGE="lv")
    content = response.content.decode()
    assert "Izvēlieties, ko mainīt: programma" in content
    assert "Atlasīt programma" not in content


def test_the_celery_schedules_are_in_latvian_in_the_admin(admin_client):
    response = admin_client.get("/admin/django_celery_beat/periodictask/add/")
    content = response.content.decode()
    assert "Periodiskie uzdevumi" in content
    assert "Periodic Tasks" not in content
    assert "Interval Schedule" not in content


def test_settings_put_the_projects_catalogue_first():
    assert settings.LOCALE_PATHS[0] == settings.BASE_DIR / "locale"
