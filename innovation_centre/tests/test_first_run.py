"""A newcomer's first hour: `make run` installs only what runs the portal, links in the mail
follow `PORT`, and the admin's password is shown below the services' start-up banners."""

import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parents[2]
TEST_TOOLS = {"pytest", "pytest-django", "factory-boy", "time-machine", "playwright", "ruff"}
SHOW_SITE_URL = (
    "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
)


def clean_environment(**values):
    """This process's environment without the portal's settings, plus ``values``."""
    portal = {"DEBUG", "SITE_URL", "PORT", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
    portal |= {"ADMIN_USERNAME", "ADMIN_PASSWORD", "SECRET_KEY", "ALLOWED_HOSTS", "CACHE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in portal and not k.startswith("DJANGO")}
    return env | values


def site_url(**values):
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SITE_URL],
        cwd=BASE_DIR,
        env=clean_environment(DJANGO_SETTINGS_MODULE="innovation_centre.settings", **values),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


# --- SITE_URL follows PORT in development -----------------------------------------------------


def test_links_in_the_mail_follow_the_port_in_development():
    result = site_url(PORT="8765")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8765"


def test_without_a_port_links_point_at_8000():
    assert site_url().stdout.strip() == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_the_port():
    result = site_url(PORT="8765", SITE_URL="https://portal.example.lv/")
    assert result.stdout.strip() == "https://portal.example.lv"


def test_a_port_that_is_no_port_number_is_a_clear_error():
    result = site_url(PORT="eighty")
    assert result.returncode != 0
    assert "PORT must be a port number" in result.stderr


# --- make run installs what runs the portal, make test the test tools too ------------------


def requirement_names(path):
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[=<>~!\[; ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_the_runtime_requirements_hold_no_test_tools():
    runtime = requirement_names(BASE_DIR / "requirements.txt")
    test_only = requirement_names(BASE_DIR / "requirements-test.txt")
    assert "django" in runtime
    assert TEST_TOOLS <= test_only
    assert not runtime & test_only
    assert "-r requirements.txt" in (BASE_DIR / "requirements-test.txt").read_text()


@pytest.fixture
def fresh_clone(tmp_path):
    """The Makefile and requirements in a folder without .venv, as after `git clone`."""
    for name in (
        "Makefile",
        "requirements.txt",
        "requirements-test.txt",
        "package.json",
        "package-lock.json",
    ):
        shutil.copy(BASE_DIR / name, tmp_path / name)
    return tmp_path


def planned(folder, target):
    """The commands `make <target>` would run in ``folder`` (make -n runs none of them)."""
    if shutil.which("make") is None:
        pytest.skip("needs make")
    result = subprocess.run(
        ["make", "-n", target], cwd=folder, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("target", ["run", "demo"])
def test_make_run_installs_only_the_runtime_requirements(fresh_clone, target):
    commands = planned(fresh_clone, target)
    assert "-m venv .venv" in commands
    assert "pip install --quiet -r requirements.txt" in commands
    assert "requirements-test.txt" not in commands
    assert "bash bin/run" in commands


def test_make_demo_seeds_the_demonstration_stage(fresh_clone):
    assert "bin/run --demo" in planned(fresh_clone, "demo")


@pytest.mark.parametrize("target", ["test", "lint"])
def test_make_test_installs_the_runtime_and_the_test_tools_on_a_fresh_clone(fresh_clone, target):
    commands = planned(fresh_clone, target)
    assert "-m venv .venv" in commands
    runtime = commands.index("-r requirements.txt")
    assert runtime < commands.index("-r requirements-test.txt")


def test_after_make_run_make_test_adds_only_the_test_tools(fresh_clone):
    (fresh_clone / ".venv" / "bin").mkdir(parents=True)
    (fresh_clone / ".venv" / "bin" / "python").touch()
    (fresh_clone / ".venv" / ".installed-run").touch()
    commands = planned(fresh_clone, "test")
    assert "-m venv" not in commands
    assert "-r requirements-test.txt" in commands
    assert "-r requirements.txt" not in commands


# --- ensure_admin says how to reset the password ----------------------------------------------


def ensure_admin():
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_ensure_admin_says_how_to_reset_the_password(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    first = ensure_admin()
    assert "manage.py changepassword admin" in first
    again = ensure_admin()  # the password is not shown again, but how to set a new one is
    assert "manage.py changepassword admin" in again
    assert "'admin'" in again


@pytest.mark.django_db
def test_ensure_admin_names_the_existing_admin_to_reset(monkeypatch):
    User.objects.create_superuser("koordinatore", password="Pirmā-parole-2026")
    assert "manage.py changepassword koordinatore" in ensure_admin()


# --- bin/run, for real: banners first, then the password; mail links on PORT -----------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Output:
    """The lines a process prints, collected by a thread."""

    def __init__(self, stream):
        self.lines = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not printed; got:\n" + "\n".join(self.lines[-60:]))

    def index(self, text):
        found = [i for i, line in enumerate(self.lines) if text in line]
        assert found, f"{text!r} not printed; got:\n" + "\n".join(self.lines[-60:])
        return found[0]


@pytest.fixture
def portal_copy(tmp_path):
    """The repository in a folder of its own (its var/ is its own), with this .venv."""
    copy = tmp_path / "portal"
    shutil.copytree(
        BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*_cache"),
    )
    (copy / ".venv").symlink_to(BASE_DIR / ".venv")
    return copy


def register_on_the_demo_stage(base_url):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    programme = opener.open(f"{base_url}/lv/", timeout=30).read().decode()
    [stage_path] = re.findall(r'href="(/lv/stages/\d+/)">\d+\. DEMONSTRĀCIJA', programme)
    form = opener.open(base_url + stage_path, timeout=30).read().decode()
    token = html.unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1])
    data = {
        "csrfmiddlewaretoken": token,
        "first_name": "Ieva",
        "last_name": "Jaunā",
        "email": "ieva.jauna@example.com",
        "role": "teacher",
        "subjects": "physics",
        "institution": "Daugavpils 9. vidusskola",
        "municipality": "daugavpils",
        "language": "lv",
        "consent": "on",
        "website": "",
    }
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 built above
        base_url + stage_path, data=urllib.parse.urlencode(data).encode(), method="POST"
    )
    answer = opener.open(request, timeout=30)
    # Registered: redirected away from the form (a refusal would show the form again).
    assert answer.geturl() != base_url + stage_path, answer.read().decode()[-3000:]


def mailed_link(mail_dir, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in mail_dir.glob("*"):
            found = re.search(r"https?://\S+/lv/confirm/\S+/", path.read_text(errors="replace"))
            if found:
                return found[0]
        time.sleep(0.5)
    raise AssertionError(f"no confirmation mail in {mail_dir} after {timeout} s")


@pytest.mark.integration
def test_bin_run_shows_the_password_after_the_banners_and_mails_links_on_its_port(portal_copy):
    port = free_port()
    process = subprocess.Popen(
        ["bash", "bin/run", "--demo"],
        cwd=portal_copy,
        env=clean_environment(PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = Output(process.stdout)
    try:
        output.wait_for("manage.py changepassword admin", timeout=180)
        box = output.index("The portal is at")
        assert output.index(" ready.") < box  # the worker's banner and "ready"
        assert output.index("beat: Starting") < box
        assert output.index("Quit the server with") < box  # runserver's banner
        password_line = output.lines[output.index("Its password: ")]
        assert output.index("Its password: ") > box
        assert len(password_line.split("Its password: ")[1].strip()) >= 12
        assert f"http://127.0.0.1:{port}/" in output.lines[box]

        register_on_the_demo_stage(f"http://127.0.0.1:{port}")
        link = mailed_link(portal_copy / "var" / "mail", timeout=120)
        assert link.startswith(f"http://127.0.0.1:{port}/lv/confirm/")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
