"""Time vaultkit against the floor on synthetic vaults; print one table.

    python benchmarks/run.py --notes 1000 10000 [--runs 5]

The floor: read every note's bytes and parse its frontmatter with libyaml, nothing else.
Each figure is the median of --runs runs, each command in a fresh process; memory is the
process's peak resident set size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

FLOOR = """
import sys, pathlib, yaml
for p in pathlib.Path(sys.argv[1]).rglob("*.md"):
    text = p.read_bytes().decode()
    if text.startswith("---"):
        yaml.load(text.split("---", 2)[1], Loader=yaml.CSafeLoader)
"""


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss // 1024


def median_of(
    runs: int, cmd: list[str], env: dict[str, str], before: object = None
) -> tuple[float, int]:
    times, mems = [], []
    for _ in range(runs):
        if callable(before):
            before()
        t, m = timed(cmd, env)
        times.append(t)
        mems.append(m)
    return statistics.median(times), max(mems)


def bench(notes: int, runs: int) -> list[tuple[str, float, int]]:
    work = Path(tempfile.mkdtemp(prefix=f"vk-bench-{notes}-"))
    vault = work / "vault"
    generate(vault, notes)
    cache = work / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    vk = [sys.executable, "-m", "vaultkit"]
    common = ["--vault", str(vault), "--today", "2026-12-01"]
    target = next(vault.rglob("*.md"))

    def clear_cache() -> None:
        for f in cache.glob("vaultkit/*.json"):
            f.unlink()

    def touch_one() -> None:
        with target.open("a") as fh:
            fh.write("\n- 2026-11-30 Another touch #email\n")

    rows = [
        ("floor (read + libyaml)", *median_of(runs, [sys.executable, "-c", FLOOR, str(vault)], env))
    ]
    rows.append(("vaultkit --help", *median_of(runs, [*vk, "--help"], env)))
    rows.append(("agenda cold", *median_of(runs, [*vk, "agenda", *common], env, clear_cache)))
    rows.append(("agenda warm", *median_of(runs, [*vk, "agenda", *common], env)))
    rows.append(
        ("agenda after one edit", *median_of(runs, [*vk, "agenda", *common], env, touch_one))
    )
    out = work / "site"
    rows.append(
        (
            "build cold",
            *median_of(runs, [*vk, "build", *common, "--out", str(out)], env, clear_cache),
        )
    )
    rows.append(("build warm", *median_of(runs, [*vk, "build", *common, "--out", str(out)], env)))
    rows.append(
        (
            "build after one edit",
            *median_of(runs, [*vk, "build", *common, "--out", str(out)], env, touch_one),
        )
    )
    rows += watch_latency(vk, common, vault, work / "watched", env)
    return rows


def watch_latency(
    vk: list[str], common: list[str], vault: Path, out: Path, env: dict[str, str], edits: int = 20
) -> list[tuple[str, float, int]]:
    """Save a note, time until the new feed is in place; 20 times. Includes the debounce."""
    feed = out / "followups.ics"
    proc = subprocess.Popen(
        [*vk, "watch", *common, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    latencies = []
    try:
        deadline = time.monotonic() + 600
        while not feed.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # let the watcher settle after its first build
        target = next(vault.rglob("*.md"))
        for i in range(edits):
            marker = f"Benchmark edit {i} {time.time_ns()}"
            start = time.perf_counter()
            with target.open("a") as fh:
                fh.write(f"\n- [ ] {marker} 📅 2026-12-05\n")
            while marker.encode() not in feed.read_bytes():
                if time.perf_counter() - start > 120:
                    raise SystemExit("watch did not rebuild within 120 s")
                time.sleep(0.005)
            latencies.append(time.perf_counter() - start)
            time.sleep(0.5)
    finally:
        proc.terminate()
        _, _, usage = os.wait4(proc.pid, 0)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    memory = usage.ru_maxrss // 1024
    return [
        ("watch: save -> feed (median)", statistics.median(latencies), memory),
        ("watch: save -> feed (95th pct)", p95, memory),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| notes | what | median time | × floor | peak memory |")
    print("|---:|---|---:|---:|---:|")
    for notes in args.notes:
        rows = bench(notes, args.runs)
        floor = rows[0][1]
        for what, seconds, mem in rows:
            print(
                f"| {notes} | {what} | {seconds * 1000:.0f} ms | {seconds / floor:.1f} | "
                f"{mem} MB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
