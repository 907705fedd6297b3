"""Rewrite the generated blocks of docs/ from the code that defines them.

    python scripts/generate_docs.py          # rewrite
    python scripts/generate_docs.py --check  # exit 1 when a block is out of date

tests/test_docs.py fails when a block is stale; this is the command that mends it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from vaultkit.vault.config import setting_docs
from vaultkit.vault.rulebook import rules_table
from vaultkit.views.drafts import DRAFT_RULES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SAMPLE_DAY = "2026-12-01"
# The sample vault's follow-up shown for each drafted rule: the first whose title has this.
DRAFT_EXAMPLES = {
    "application-follow-up": "Tesselwork",
    "thank-you": "Lena Park",
    "interview-check-in": "Pinewhistle",
    "reply-promptly": "Priya",
    "offer-update": "Hollowtree",
    "keep-in-touch": "Rosa",
    "met-follow-up": "Chloe",
    "info-interview-request": "Brindlewood",
    "linkedin-connect": "Kofi",
}


def _vaultkit(*args: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it on the sample vault (no colour, a throwaway cache; on a
    copy, as vaultkit keeps its own state in the vault's .vaultkit/)."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": scratch}
        env.pop("VAULTKIT_VAULT", None)
        vault = Path(scratch) / "sample-vault"
        shutil.copytree(ROOT / "sample-vault", vault, ignore=shutil.ignore_patterns(".vaultkit"))
        return subprocess.run(
            [sys.executable, "-m", "vaultkit", *args, "--today", SAMPLE_DAY],
            cwd=vault,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )


def sample_drafts() -> str:
    """docs/drafts.md's gallery: a draft per rule, as `vaultkit draft` prints it (the message
    on stdout, then what to fill in on stderr) on the sample vault."""
    items = json.loads(_vaultkit("agenda", "--all", "--json").stdout)
    parts = []
    for rule, kind in DRAFT_RULES.items():
        wanted = DRAFT_EXAMPLES[rule]
        item = next(i for i in items if i["rule"] == rule and wanted in i["title"])
        shown = _vaultkit("draft", item["id"])
        parts.append(
            f"### {kind.capitalize()} (`{rule}`)\n\n{item['title']}:\n\n"
            f"```console\n$ vaultkit draft {item['id']}\n{shown.stdout}{shown.stderr}```"
        )
    return "\n\n".join(parts)


# file -> (block name, function giving the block's text)
GENERATED = {
    "configuration.md": ("settings", setting_docs),
    "drafts.md": ("sample drafts", sample_drafts),
    "rules.md": ("rules", rules_table),
}


def regenerate(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- BEGIN GENERATED: {name} -->", f"<!-- END GENERATED: {name} -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body.strip()}\n{end}{tail}"


def main(argv: list[str]) -> int:
    stale = []
    for file, (name, make) in GENERATED.items():
        path = DOCS / file
        old = path.read_text(encoding="utf-8")
        new = regenerate(old, name, make())
        if new != old:
            stale.append(file)
            if "--check" not in argv:
                path.write_text(new, encoding="utf-8")
    if stale:
        verb = "out of date" if "--check" in argv else "rewritten"
        print(f"{verb}: {', '.join(f'docs/{f}' for f in stale)}")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
