"""What `log` and `done` cost with a 50 MB note in the vault (docs/security.md, L13).

    python benchmarks/huge_note.py [--lines 635000]

Copies the sample vault, adds `companies/Hugeco.md` (a `## Log` of --lines lines and one open
task at the end: 50 MB at the default), runs `agenda` once so its answers are in the store,
then times, each in a fresh process: reading the note's bytes and splitting its lines (the
floor), `log` to the huge note by file name, `done` for its task, and `done` for a follow-up
of another note. CPU is user + system time; memory the peak resident set size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import timed

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import sys; open(sys.argv[1], 'rb').read().decode().splitlines()"


def huge_note(lines: int) -> str:
    head = '---\nname: Hugeco\nstage: applied\napplied: 2026-10-01\ncontacts: ["[[Nadia Quist]]"]\n'
    log = "".join(
        f"- 2026-{i % 9 + 1:02d}-{i % 27 + 1:02d} Talked with [[Nadia Quist]] about item {i}\n"
        for i in range(lines)
    )
    return f"{head}---\nIntro.\n\n## Log\n{log}\n## Tasks\n- [ ] Send the thing 📅 2026-12-02\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=635_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        shutil.copytree(ROOT / "sample-vault", vault)
        note = vault / "companies" / "Hugeco.md"
        note.write_text(huge_note(args.lines), encoding="utf-8")
        env = {**os.environ, "XDG_CACHE_HOME": f"{tmp}/cache", "XDG_STATE_HOME": f"{tmp}/state"}
        vk = [sys.executable, "-m", "vaultkit"]
        day = ["--vault", str(vault), "--today", "2026-12-01"]

        def agenda() -> list[dict[str, object]]:
            out = subprocess.run(
                [*vk, "agenda", "--all", "--json", *day], env=env, capture_output=True, check=False
            )
            return json.loads(out.stdout)

        items = agenda()
        task = next(f["id"] for f in items if f["rule"] == "task" and "Hugeco" in str(f["note"]))
        other = next(f["id"] for f in items if "Hugeco" not in str(f["note"]))
        print(f"{note.stat().st_size / 2**20:.0f} MB note; CPU s, peak MB")
        runs = [
            ("floor: read + split the note", [sys.executable, "-c", FLOOR, str(note)]),
            ("log Hugeco (by file name)", [*vk, "log", "Hugeco", "hello", *day]),
            ("done: the huge note's task", [*vk, "done", task, *day]),
        ]
        for what, cmd in runs:
            _, cpu, memory = timed(cmd, env)
            print(f"{what:36s} {cpu:6.2f} {memory:6d}")
            agenda()  # answers in the store again, as after a look at the agenda
        _, cpu, memory = timed([*vk, "done", other, *day], env)
        print(f"{'done: another note, after agenda':36s} {cpu:6.2f} {memory:6d}")


if __name__ == "__main__":
    main()
