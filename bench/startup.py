"""Startup time of `trainctl --help` against a bare interpreter, medians of N runs in one go.

    python bench/startup.py [N]

Target (DESIGN §7): `trainctl --help` under 150 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_ms(cmd: list[str], n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    bare = median_ms([sys.executable, "-c", "pass"], n)
    help_ms = median_ms([sys.executable, "-m", "trainctl", "--help"], n)
    sub_ms = median_ms([sys.executable, "-m", "trainctl", "enroll", "--help"], n)
    print(f"runs per command:          {n}")
    print(f"bare python:               {bare:6.1f} ms")
    print(f"trainctl --help:           {help_ms:6.1f} ms  (target < 150 ms: {'ok' if help_ms < 150 else 'MISSED'})")
    print(f"trainctl enroll --help:    {sub_ms:6.1f} ms")
    print(f"--help over bare python:   {help_ms / bare:6.1f}x")


if __name__ == "__main__":
    main()
