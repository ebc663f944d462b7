"""Locust users for ``bench/registration.py``: teachers rushing to register for one stage.

Each user is one browser at a time, used by one made-up teacher after another (a fresh cookie
jar and a school address of their own each, sent as ``X-Forwarded-For`` through the trusted
proxy on 127.0.0.1). A teacher does what a person does:

1. opens the stage page (the form and its CSRF cookie and token),
2. submits the form and follows the redirect to the "check your mail" page,
3. waits for the confirmation mail (read from the SMTP sink's kept messages),
4. opens the link in the mail, presses "Confirm" and lands on their personal page.

The seat is taken (or a place on the waiting list given) at step 4. The teachers are numbered
from a shared counter; once ``BENCH_PEOPLE`` have had their turn the run stops, and each one's
timings and outcome are written as JSON to ``BENCH_OUT``.
"""

import email
import itertools
import json
import os
import re
import time
from email import policy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

STAGE_PATH = os.environ.get("BENCH_STAGE_PATH", "/lv/stages/1/")
MAIL_DIR = Path(os.environ.get("BENCH_MAIL_DIR", "/nonexistent"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "10"))
RUN = os.environ.get("BENCH_RUN", "0")
OUT = os.environ.get("BENCH_OUT")
DOMAIN = os.environ.get("BENCH_EMAIL_DOMAIN", "bench.example.lv")
MAIL_TIMEOUT = float(os.environ.get("BENCH_MAIL_TIMEOUT", "120"))

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/[a-z]{2}/confirm/[^/\s]+/)")
FORM = "application/x-www-form-urlencoded"
CSV_FLUSH_SECONDS = 1.5

numbers = itertools.count()
outcomes = []


def address(number):
    """A school's address of its own for each teacher (10.0.0.0/8, never a real one)."""
    return f"10.{number // 62500 % 250}.{number // 250 % 250}.{number % 250 + 1}"


def person(number):
    return {
        "first_name": "Līga",
        "last_name": "Bērziņa",
        "email": f"teacher-{RUN}-{number}@{DOMAIN}",
        "role": "teacher",
        "subjects": ["chemistry", "physics"],
        "institution": f"Daugavpils {number % 40 + 1}. vidusskola",
        "municipality": "daugavpils",
        "phone": "+371 20000000",
        "sex": "",
        "language": "lv",
        "consent": "on",
        "website": "",
    }


def confirmation_path(recipient):
    """The confirmation link's path from the mail to ``recipient``, once it has arrived."""
    folder = MAIL_DIR / recipient
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                found = CONFIRM_LINK.search(part.get_content())
                if found:
                    return found.group(1)
    return None


@events.quitting.add_listener
def write_outcomes(environment, **kwargs):
    if OUT:
        Path(OUT).write_text(json.dumps(outcomes))


class Teacher(FastHttpUser):
    wait_time = constant(0)

    @task
    def register(self):
        number = next(numbers)
        if number >= PEOPLE:
            raise StopUser
        self.client.cookiejar.clear()
        data = person(number)
        outcome = {"number": number, "started": time.time()}
        # What the TLS proxy on 127.0.0.1 adds to each request.
        proxy = {"X-Forwarded-For": address(number), "X-Forwarded-Proto": "https"}
        try:
            self.visit(data, outcome, proxy)
        finally:
            outcome["finished"] = time.time()
            outcomes.append(outcome)
            if len(outcomes) >= PEOPLE:
                # Let locust's CSV writer (once a second) take the last requests first.
                gevent.sleep(CSV_FLUSH_SECONDS)
                self.environment.runner.quit()

    def browser_post_headers(self, proxy, path):
        """A browser's POST over https: Origin, Referer and the (Secure) CSRF cookie, which the
        cookie jar keeps but sends only over https, so it is sent here by hand."""
        origin = f"https://{urlsplit(self.host).netloc}"
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)
        return {
            **proxy,
            "Content-Type": FORM,
            "Origin": origin,
            "Referer": f"{origin}{path}",
            "Cookie": cookies,
        }

    def visit(self, data, outcome, headers):
        page = self.client.get(STAGE_PATH, name="1 stage page (form)", headers=headers)
        token = CSRF.search(page.text or "")
        if page.status_code != 200 or not token:
            return
        body = urlencode({**data, "csrfmiddlewaretoken": token.group(1)}, doseq=True)
        with self.client.post(
            STAGE_PATH,
            data=body,
            headers=self.browser_post_headers(headers, STAGE_PATH),
            name="2 form POST",
            allow_redirects=False,
            catch_response=True,
        ) as posted:
            if posted.status_code != 302 or "/registered/" not in posted.headers.get(
                "Location", ""
            ):
                posted.failure(f"not registered: {posted.status_code}")
                return
        outcome["posted"] = time.time()
        self.client.get(
            urlsplit(posted.headers["Location"]).path, name="3 registered page", headers=headers
        )
        link = self.wait_for_mail(data["email"])
        if link is None:
            return
        outcome["mailed"] = time.time()
        page = self.client.get(link, name="4 confirmation page", headers=headers)
        token = CSRF.search(page.text or "")
        if page.status_code != 200 or not token:
            return
        with self.client.post(
            link,
            data=urlencode({"csrfmiddlewaretoken": token.group(1)}),
            headers=self.browser_post_headers(headers, link),
            name="5 confirm POST",
            allow_redirects=False,
            catch_response=True,
        ) as confirmed:
            if confirmed.status_code != 302 or "confirmed=1" not in confirmed.headers.get(
                "Location", ""
            ):
                confirmed.failure(f"not confirmed: {confirmed.status_code}")
                return
        outcome["confirmed"] = time.time()
        manage = urlsplit(confirmed.headers["Location"])
        self.client.get(f"{manage.path}?{manage.query}", name="6 personal page", headers=headers)

    def wait_for_mail(self, recipient):
        deadline = time.monotonic() + MAIL_TIMEOUT
        while time.monotonic() < deadline:
            link = confirmation_path(recipient)
            if link:
                return link
            gevent.sleep(0.05)
        events.request.fire(
            request_type="MAIL",
            name="confirmation mail",
            response_time=MAIL_TIMEOUT * 1000,
            response_length=0,
            exception=TimeoutError(f"no confirmation mail for {recipient}"),
            context={},
        )
        return None
