"""Time vaultkit against the floor on synthetic vaults; print one table.

    python benchmarks/run.py --notes 1000 10000 [--runs 5] [--agenda-only 50000]

The floor: read every note's bytes and parse its frontmatter with libyaml, nothing else.
Each figure is the median of --runs runs, each command in a fresh process, as wall-clock time
and as CPU time (user + system, the process and its children: less disturbed by other work on
the machine); the ratios are wall time over the floor's wall time, and CPU time over the
floor's CPU time, in the same run. Memory is the
process's peak resident set size (the largest of its runs).

`--agenda-only N` measures only the floor and a cold `agenda` at N notes (a very large vault).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

PACKAGE = Path(__file__).resolve().parent.parent / "vaultkit"

FLOOR = """
import sys, pathlib, yaml
for p in pathlib.Path(sys.argv[1]).rglob("*.md"):
    text = p.read_bytes().decode()
    if text.startswith("---"):
        yaml.load(text.split("---", 2)[1], Loader=yaml.CSafeLoader)
"""


@dataclass
class Row:
    what: str
    wall: float
    cpu: float | None
    memory: int


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}")
    # wait4's usage covers the process and its waited-for children (worker processes).
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def measure(
    what: str,
    runs: int,
    cmd: list[str],
    env: dict[str, str],
    before: Callable[[], None] | None = None,
) -> Row:
    walls, cpus, mems = [], [], []
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu, mem = timed(cmd, env)
        walls.append(wall)
        cpus.append(cpu)
        mems.append(mem)
    return Row(what, statistics.median(walls), statistics.median(cpus), max(mems))


def bench(notes: int, runs: int, agenda_only: bool = False) -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix=f"vk-bench-{notes}-"))
    try:
        return _bench(work, notes, runs, agenda_only)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(work: Path, notes: int, runs: int, agenda_only: bool) -> list[Row]:
    vault = work / "vault"
    generate(vault, notes)
    cache = work / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    # A user's Python caches bytecode; a shell that turned that off would time the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PACKAGE)], check=True, env=env)
    vk = [sys.executable, "-m", "vaultkit"]
    common = ["--vault", str(vault), "--today", "2026-12-01"]
    target = next(vault.rglob("*.md"))
    out = work / "site"

    def clear_cache() -> None:
        shutil.rmtree(cache / "vaultkit", ignore_errors=True)

    def cold_build() -> None:
        clear_cache()
        shutil.rmtree(out, ignore_errors=True)

    def touch_one() -> None:
        with target.open("a") as fh:
            fh.write("\n- 2026-11-30 Another touch #email\n")

    rows = [measure("floor (read + libyaml)", runs, [sys.executable, "-c", FLOOR, str(vault)], env)]
    agenda = [*vk, "agenda", *common]
    rows.append(measure("agenda cold", runs, agenda, env, clear_cache))
    if agenda_only:
        return rows
    rows.insert(1, measure("vaultkit --help", runs, [*vk, "--help"], env))
    rows.append(measure("agenda warm", runs, agenda, env))
    rows.append(measure("agenda after one edit", runs, agenda, env, touch_one))
    build = [*vk, "build", *common, "--out", str(out)]
    rows.append(measure("build cold", runs, build, env, cold_build))
    rows.append(measure("build warm", runs, build, env))
    rows.append(measure("build after one edit", runs, build, env, touch_one))
    rows += watch_latency(vk, common, vault, work / "watched", env)
    return rows


def watch_latency(
    vk: list[str], common: list[str], vault: Path, out: Path, env: dict[str, str], edits: int = 20
) -> list[Row]:
    """Save a note, time until the new feed is in place; 20 times, a second apart (Obsidian
    saves about two seconds after each pause in typing)."""
    feed = out / "followups.ics"
    # The feed keeps at most about 950 KB; at 10,000 notes overdue events fill it, so a new
    # task due later might not appear in it at all. Without past days, today's task always does.
    (vault / "vaultkit.toml").write_text("[feed]\npast_days = 0\n")
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
                fh.write(f"\n- [ ] {marker} 📅 2026-12-01\n")
            while marker.encode() not in feed.read_bytes():
                if time.perf_counter() - start > 120:
                    raise SystemExit("watch did not rebuild within 120 s")
                time.sleep(0.005)
            latencies.append(time.perf_counter() - start)
            time.sleep(1.0)
    finally:
        proc.terminate()
        _, _, usage = os.wait4(proc.pid, 0)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    memory = usage.ru_maxrss // 1024
    return [
        Row("watch: save -> feed (median)", statistics.median(latencies), None, memory),
        Row("watch: save -> feed (95th pct)", p95, None, memory),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, nargs="*", default=[1000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--agenda-only", type=int, nargs="*", default=[], metavar="NOTES")
    args = parser.parse_args()
    print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, {args.runs} runs")
    print("| notes | what | median time | median CPU | × floor | × floor (CPU) | peak memory |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    plan = [(n, False) for n in args.notes] + [(n, True) for n in args.agenda_only]
    for notes, agenda_only in plan:
        rows = bench(notes, args.runs, agenda_only)
        floor, floor_cpu = rows[0].wall, rows[0].cpu or 1.0
        for row in rows:
            cpu = f"{row.cpu * 1000:.0f} ms" if row.cpu is not None else "–"
            cpu_ratio = f"{row.cpu / floor_cpu:.1f}" if row.cpu is not None else "–"
            print(
                f"| {notes} | {row.what} | {row.wall * 1000:.0f} ms | {cpu} | "
                f"{row.wall / floor:.1f} | {cpu_ratio} | {row.memory} MB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
