"""The public programme and stage pages under 50 concurrent clients, beside a minimal view.

    .venv/bin/python bench/public_pages.py          (full: 25 s of 50 users per page)
    BENCH_SMALL=1 .venv/bin/python bench/public_pages.py   (a few seconds, 5 users)

gunicorn with 2 sync workers serves the portal with ``DEBUG=False`` (the harness's production
settings, cache on Redis); headless locust (``bench/locust_public_pages.py``, FastHttpUser, no
think time) asks for one page at a time: the minimal view ``/bench/minimal/`` (the same
middleware, no template, no query), the programme page in Latvian and in English, and the
demonstration stage's page (open registration, so the page carries the registration form).
Goal per page: at least half the minimal view's requests/s, p95 under 100 ms.

The data is the seeded programme (``seed_programme --demo``: four stages, the demonstration stage
with its sessions and five registrations): the pages show one programme, and that is its size.
Scale data (thousands of stages in other programmes, registrations by the hundred thousand) does
not change what these pages read, except through the seat counts, which are one indexed count
per stage.

Locust runs on the same 2 cores as gunicorn; every page is measured the same way, so the ratio
is fair, and the notes give locust's and the workers' CPU use (in cores) for each page. The notes
also give each page's milliseconds per request in this process (Django's WSGI handler called
directly: no HTTP, no locust; a returning visitor with a CSRF cookie), which a busy machine
disturbs less.
"""

import io
import os
import resource
import sys
import time
import urllib.request
from pathlib import Path

import harness

harness.setup_django(database="public_pages")

from django.core.management import call_command  # noqa: E402

from courses.models import Stage  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "locust_public_pages.py"
USERS = harness.size(50, 5)
SECONDS = harness.size(25, 3)
IN_PROCESS_REQUESTS = harness.size(1000, 50)
P95_GOAL_MS = 100
RATIO_GOAL = 0.5


def seed():
    call_command("seed_programme", demo=True, force=True, stdout=io.StringIO())
    return Stage.objects.filter(is_demo=True).order_by("pk").first()


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def processes_cpu_seconds(pids):
    import psutil

    total = 0.0
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


def check_page(base_url, path, expected):
    with urllib.request.urlopen(base_url + path, timeout=10) as response:
        body = response.read().decode()
    if response.status != 200 or expected not in body:
        raise RuntimeError(f"{path} does not show {expected!r}")


def measure(svc, path):
    """One locust run against ``path``; its figures and the CPU (cores) locust and the web
    workers used meanwhile."""
    pids = svc.web_pids()
    locust_before, web_before = children_cpu_seconds(), processes_cpu_seconds(pids)
    started = time.monotonic()
    result = harness.run_locust(
        LOCUSTFILE,
        svc.base_url,
        users=USERS,
        spawn_rate=USERS,
        seconds=SECONDS,
        env={"BENCH_PAGE_PATH": path},
    )
    wall = time.monotonic() - started
    result["locust_cores"] = (children_cpu_seconds() - locust_before) / wall
    result["web_cores"] = (processes_cpu_seconds(pids) - web_before) / wall
    if result["failures"]:
        raise RuntimeError(f"{path}: {result['failures']} of {result['requests']} failed")
    return result


def main():
    stage = seed()
    pages = {
        "programme page (lv)": ("/lv/", stage.title_lv),
        "programme page (en)": ("/en/", stage.title_en),
        "stage page (lv)": (f"/lv/stages/{stage.pk}/", stage.title_lv),
    }
    harness.flush_redis()
    with harness.Services(web_workers=2) as svc:
        for path, expected in pages.values():
            check_page(svc.base_url, path, expected)
        minimal = measure(svc, "/bench/minimal/")
        results = {name: measure(svc, path) for name, (path, _expected) in pages.items()}
    paths = {"minimal view": "/bench/minimal/", **{n: p for n, (p, _e) in pages.items()}}
    in_process = in_process_ms(paths)
    harness.record(figures(minimal, results), notes=notes(minimal, results, in_process))


def in_process_ms(paths):
    """Milliseconds per request of each path through Django's WSGI handler in this process
    (best of three runs), as a returning visitor who holds a CSRF cookie."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def get(path, cookie=""):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        headers = []
        response = handler(environ, lambda status, sent, exc_info=None: headers.extend(sent))
        b"".join(response)
        response.close()  # request_finished, as gunicorn does
        return headers

    cookie = ""
    for path in paths.values():
        for name, value in get(path):
            if name == "Set-Cookie" and value.strip().startswith("csrftoken="):
                cookie = value.strip().split(";")[0]

    def run(path):
        for _ in range(IN_PROCESS_REQUESTS):
            get(path, cookie)

    return {
        name: harness.timed(lambda path=path: run(path))[0] / IN_PROCESS_REQUESTS * 1000
        for name, path in paths.items()
    }


def figures(minimal, results):
    reference = "minimal view req/s"
    rows = [
        harness.Figure("minimal view", round(minimal["rps"], 1), "req/s"),
        harness.Figure("minimal view p95", minimal["p95_ms"], "ms"),
    ]
    for name, result in results.items():
        rows.append(
            harness.Figure(
                name,
                round(result["rps"], 1),
                "req/s",
                reference=reference,
                reference_value=round(minimal["rps"], 1),
                goal=f"ratio ≥ {RATIO_GOAL}",
                met=result["rps"] >= RATIO_GOAL * minimal["rps"],
            )
        )
        rows.append(
            harness.Figure(
                f"{name} p95",
                result["p95_ms"],
                "ms",
                goal=f"p95 < {P95_GOAL_MS} ms",
                met=result["p95_ms"] < P95_GOAL_MS,
            )
        )
    return rows


def notes(minimal, results, in_process):
    lines = [
        f"{USERS} locust users (FastHttpUser, no think time), {SECONDS} s per page, gunicorn "
        "with 2 sync workers, DEBUG=False, cache on Redis; the seeded programme with its "
        "demonstration stage. CPU in cores (of 2) while each page was measured:",
        "",
        "| page | req/s | p50 ms | p95 ms | requests | locust CPU | workers' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in {"minimal view": minimal, **results}.items():
        lines.append(
            f"| {name} | {result['rps']:.0f} | {result['p50_ms']:g} | {result['p95_ms']:g} "
            f"| {result['requests']} | {result['locust_cores']:.2f} | {result['web_cores']:.2f} |"
        )
    lines += [
        "",
        f"In this process (Django's WSGI handler, no HTTP; best of three runs of "
        f"{IN_PROCESS_REQUESTS} requests by a returning visitor):",
        "",
        "| page | ms per request | minimal view's ms ÷ page's |",
        "|---|---:|---:|",
    ]
    for name, ms in in_process.items():
        lines.append(f"| {name} | {ms:.2f} | {in_process['minimal view'] / ms:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    os.chdir(harness.ROOT)
    main()
