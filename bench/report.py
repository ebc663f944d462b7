"""Assemble the recorded figures into bench/RESULTS.md (or var/bench-small/RESULTS.md).

    python bench/report.py [--failed SCRIPT ...]

Machine, date and commit first; then, per script, each figure beside its reference with the
ratio and the goal; the script's notes; then bench/HISTORY.md (before/after of optimisations).
"""

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = os.environ.get("BENCH_SMALL") == "1"
RESULTS_DIR = ROOT / ("var/bench-small" if SMALL else "bench/results")
OUTPUT = RESULTS_DIR / "RESULTS.md" if SMALL else ROOT / "bench" / "RESULTS.md"


def command_output(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    import psutil

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = psutil.virtual_memory().total / 2**30
    postgres = command_output(
        "psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version", "postgres"
    )
    redis = command_output("redis-cli", "-h", "127.0.0.1", "INFO", "server")
    redis_version = next(
        (line.split(":", 1)[1] for line in redis.splitlines() if line.startswith("redis_version")),
        "unknown",
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        f"- machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}, PostgreSQL {postgres}, Redis {redis_version}, all "
        "on this machine over loopback",
        f"- load average when the report was written: {load}",
    ]


def format_number(value):
    if value is None:
        return "–"
    if float(value).is_integer() and abs(value) < 100:
        return f"{value:.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def verdict(met):
    return {True: "met", False: "**missed**", None: "–"}[met]


def script_section(result):
    lines = [
        f"## {result['script']}",
        "",
        f"Run finished {result['finished']}.",
        "",
        "| figure | value | reference | reference value | ratio | goal | |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for figure in result["figures"]:
        ratio = "–" if figure["ratio"] is None else f"{figure['ratio']:.2f}"
        lines.append(
            f"| {figure['name']} | {format_number(figure['value'])} {figure['unit']} "
            f"| {figure['reference'] or '–'} | {format_number(figure['reference_value'])} "
            f"| {ratio} | {figure['goal'] or '–'} | {verdict(figure['met'])} |"
        )
    details = [
        f"- {figure['name']}: {figure['detail']}"
        for figure in result["figures"]
        if figure["detail"]
    ]
    if details:
        lines += ["", *details]
    if result["notes"]:
        lines += ["", result["notes"].strip()]
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--failed", nargs="*", default=[], help="scripts that did not finish")
    parser.add_argument("--scripts", nargs="*", default=None, help="the scripts of this run")
    arguments = parser.parse_args()
    commit = command_output("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
    dirty = command_output("git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no")
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/report.py`); do not edit by hand. Every figure was",
        "measured in one run beside its reference on the same machine: compare ratios, not rates.",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- commit: {commit}{' (with uncommitted changes)' if dirty else ''}",
        *machine(),
        "",
    ]
    if SMALL:
        lines += ["**Small run (BENCH_SMALL=1): sizes for checking the scripts, not figures.**", ""]
    results = sorted(RESULTS_DIR.glob("*.json"))
    if arguments.scripts is not None:
        results = [path for path in results if path.stem in arguments.scripts]
    summary = ["| script | figure | ratio | goal | |", "|---|---|---:|---|---|"]
    sections = []
    for path in results:
        result = json.loads(path.read_text())
        for figure in result["figures"]:
            if figure["goal"]:
                ratio = "–" if figure["ratio"] is None else f"{figure['ratio']:.2f}"
                summary.append(
                    f"| {result['script']} | {figure['name']} | {ratio} | {figure['goal']} "
                    f"| {verdict(figure['met'])} |"
                )
        sections += script_section(result) + [""]
    lines += ["## Goals at a glance", "", *summary, ""]
    if arguments.failed:
        failed = ", ".join(arguments.failed)
        lines += [f"**Did not finish:** {failed} (see the make bench output).", ""]
    lines += sections
    history = ROOT / "bench" / "HISTORY.md"
    if history.exists():
        lines += [history.read_text().strip(), ""]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines))
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
