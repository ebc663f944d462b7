"""Run every benchmark script, one after the other, then write the results file.

    python bench/run_all.py [SCRIPT ...]     (default: every bench/*.py that is a benchmark)

With BENCH_SMALL=1 each runs its small size (seconds) and the results go to var/bench-small/.
Exits non-zero if a script failed; the others still run and are reported.
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"__init__", "harness", "report", "run_all", "settings", "urls", "smtp_sink"}


def benchmark_scripts():
    return sorted(
        path.stem
        for path in BENCH.glob("*.py")
        if path.stem not in NOT_BENCHMARKS and not path.stem.startswith(("_", "locust_"))
    )


def main():
    scripts = sys.argv[1:] or benchmark_scripts()
    failed = []
    for script in scripts:
        print(f"== bench/{script}.py", flush=True)
        started = time.monotonic()
        finished = subprocess.run([sys.executable, str(BENCH / f"{script}.py")], cwd=BENCH.parent)
        print(f"== bench/{script}.py: {time.monotonic() - started:.0f} s", flush=True)
        if finished.returncode != 0:
            failed.append(script)
    subprocess.run(
        [sys.executable, str(BENCH / "report.py"), "--failed", *failed],
        check=True,
    )
    if failed:
        print(f"failed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
