"""Rewrite the generated blocks of docs/ from the code that defines them.

    python scripts/generate_docs.py          # rewrite
    python scripts/generate_docs.py --check  # exit 1 when a block is out of date

tests/test_docs.py fails when a block is stale; this is the command that mends it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vaultkit.config import setting_docs

DOCS = Path(__file__).resolve().parent.parent / "docs"

# file -> (block name, function giving the block's text)
GENERATED = {
    "configuration.md": ("settings", setting_docs),
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
