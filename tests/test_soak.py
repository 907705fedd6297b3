"""Soak: a thousand random creates, edits, renames, moves and deletes, in bursts, against a
running watcher; at the end its outputs must equal a fresh build of the final vault."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

from conftest import TODAY
from test_watch import DELAY, settle

from vaultkit.commands.build import build
from vaultkit.commands.watch import Watcher
from vaultkit.vault.config import load_config

OPS = 1000
FOLDERS = ["companies", "people", "contacts", "notes", "companies/archive"]


def _note(rng: random.Random, names: list[str]) -> str:
    day = f"2026-{rng.randint(10, 12):02d}-{rng.randint(1, 28):02d}"

    def link() -> str:
        return f"[[{rng.choice(names)}]]" if names else ""

    kind = rng.random()
    extra = ""
    if rng.random() < 0.3 and names:  # names and aliases others may link by
        extra += f"name: {rng.choice(names)} {rng.choice(['Inc', 'Co', ''])}\n"
    if rng.random() < 0.2 and names:
        extra += f"aliases: [{rng.choice(names)}]\n"
    if kind < 0.4:
        front = (
            f"---\nstage: {rng.choice(['applied', 'screening', 'interviewing', 'lead'])}\n"
            f"applied: {day}\nfollow_up: {day}\n{extra}"
            + (f'contacts: ["{link()}"]\n' if names and rng.random() < 0.5 else "")
            + (
                f'interviews: [{{date: {day}, with: "{link()}", kind: onsite}}]\n'
                if names and rng.random() < 0.4
                else ""
            )
            + "---\n"
        )
    elif kind < 0.7:
        front = (
            f"---\ncadence: 3w\nmet: {day}\nawaiting_reply: {day}\n{extra}"
            + (f'company: "{link()}"\nemail: a@b.test\n' if names and rng.random() < 0.6 else "")
            + "---\n"
        )
    else:
        front = f"---\n{extra}---\n" if extra else ""
    return (
        front + f"Notes about {link()}.\n- [ ] Call {link()} 📅 {day}\n"
        f"## Log\n- {day} Talked with {link()} #thank-you\n"
    )


def _notes(root: Path) -> list[Path]:
    """The vault's notes, without walking the output folder the watcher is rewriting."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if d != "_site"]
        found += [Path(folder) / f for f in files if f.endswith(".md")]
    return found


def _mutate(rng: random.Random, root: Path, counter: list[int]) -> None:
    notes = sorted(p for p in _notes(root))
    names = [p.stem for p in notes]
    op = rng.random()
    if op < 0.3 or not notes:
        counter[0] += 1
        folder = root / rng.choice(FOLDERS)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"Note {counter[0]}.md").write_text(_note(rng, names), encoding="utf-8")
    elif op < 0.55:
        rng.choice(notes).write_text(_note(rng, names), encoding="utf-8")
    elif op < 0.65:
        with rng.choice(notes).open("a", encoding="utf-8") as fh:
            fh.write(f"- 2026-11-{rng.randint(1, 28):02d} Another touch #follow-up\n")
    elif op < 0.75:
        source = rng.choice(notes)
        counter[0] += 1
        source.rename(source.with_name(f"Renamed {counter[0]}.md"))
    elif op < 0.85:
        source = rng.choice(notes)
        target = root / rng.choice(FOLDERS)
        target.mkdir(parents=True, exist_ok=True)
        if not (target / source.name).exists():
            source.rename(target / source.name)
    elif op < 0.95:
        rng.choice(notes).unlink()
    else:
        folder = root / rng.choice(FOLDERS[1:])
        if folder.is_dir() and rng.random() < 0.5:
            counter[0] += 1
            moved = root / f"moved {counter[0]}"
            folder.rename(moved)
        elif folder.is_dir():
            shutil.rmtree(folder)


def _tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def test_outputs_equal_a_fresh_build_after_a_thousand_random_changes(tmp_path):
    root = tmp_path / "vault"
    root.mkdir()
    (root / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n')
    rng = random.Random(int(os.environ.get("VAULTKIT_SOAK_SEED", "20261201")))
    counter = [0]
    watcher = Watcher(lambda: load_config(root), lambda _c: TODAY, None, None, delay=DELAY)
    assert watcher.start().ok
    try:
        done = 0
        while done < OPS:
            burst = rng.choice([1, 1, 2, 5, 20, 60])  # single saves and git-checkout bursts
            for _ in range(min(burst, OPS - done)):
                _mutate(rng, root, counter)
                done += 1
            time.sleep(rng.choice([0, 0.01, 0.05, DELAY * 2]))
        settle(watcher)
    finally:
        watcher.stop()
    assert all(b.ok for b in watcher.builds), [b.error for b in watcher.builds if not b.ok]
    assert len(watcher.builds) < OPS / 2  # bursts were coalesced
    fresh = tmp_path / "fresh"
    build(load_config(root), TODAY, fresh, use_cache=False)
    watched, rebuilt = _tree(root / "_site"), _tree(fresh)
    assert watched.keys() == rebuilt.keys()
    assert [name for name in watched if watched[name] != rebuilt[name]] == []
