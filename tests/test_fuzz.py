"""Property-based attacks: arbitrary bytes and arbitrary YAML into the parser, arbitrary strings
into every field of a company and a contact, and arbitrary file names. Whatever goes in, nothing
raises past the problem boundary (parse -> model -> rules -> render), and the feed always
passes two independent parsers.

Bounded by default (the `fuzz` profile in conftest.py); `VAULTKIT_FUZZ=long` runs thousands."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from attack_helpers import (
    GOOD,
    assert_minimal_feed,
    assert_private_feed,
    assert_valid_feed,
)
from conftest import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultkit.render.ics import FeedInputs
from vaultkit.render.outputs import render_site
from vaultkit.render.site import SiteData
from vaultkit.rules.registry import derive_followups
from vaultkit.vault.config import Config, load_config
from vaultkit.vault.fields import FIELDS
from vaultkit.vault.model import build_model
from vaultkit.vault.parse import parse_note
from vaultkit.vault.problems import Problem

FUZZ = settings(
    settings.get_profile("fuzz-long" if os.environ.get("VAULTKIT_FUZZ") == "long" else "fuzz"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DETAILS = ("full", "minimal", "private")


@pytest.fixture(scope="module")
def configs(tmp_path_factory) -> dict[str, Config]:
    out = {}
    for detail in DETAILS:
        root = tmp_path_factory.mktemp(f"vault-{detail}")
        (root / "vaultkit.toml").write_text(
            f'timezone = "Europe/Berlin"\nvault_name = "Jobs"\n[feed]\ndetail = "{detail}"\n'
            "alarm_minutes = 15\n"
        )
        out[detail] = load_config(root)
    return out


def pipeline(config: Config, notes: dict[str, bytes]) -> dict[str, bytes]:
    """parse -> model -> rules -> every renderer, in memory, as `vaultkit build` runs them."""
    parsed = [parse_note(rel, data) for rel, data in {**_good(), **notes}.items()]
    for note in parsed:
        assert all(isinstance(p, Problem) for p in note.problems)
    vault = build_model(parsed, config)
    followups = derive_followups(vault, TODAY)
    bodies = {}
    for note in parsed:
        text = notes.get(note.path, _good().get(note.path, b"")).decode("utf-8-sig", "replace")
        bodies[note.path] = "\n".join(text.splitlines()[note.body_line - 1 :])
    data = SiteData(vault, followups, TODAY, bodies, feed=FeedInputs(TODAY, secret=b"k" * 32))
    files = render_site(data)
    assert_valid_feed(files["followups.ics"])
    return files


def _good() -> dict[str, bytes]:
    return {rel: text.encode() for rel, text in GOOD.items()}


# ---- bytes


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(data):
    note = parse_note("x.md", data)
    assert all(p.path == "x.md" and p.line >= 0 for p in note.problems)


FRAGMENTS = st.sampled_from(
    [
        b"---\n",
        b"---\r\n",
        b"...\n",
        b"\r",
        b"\n",
        b"\r\n",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\0",
        b"\t",
        b"key: ",
        b"follow_up: ",
        b"2026-12-04",
        b"2026-02-30",
        b"9999-12-31T23:59",
        b"[[",
        b"]]",
        b"[",
        b"]",
        b"{",
        b"}",
        b"&a ",
        b"*a",
        b"!!python/object:os.system ",
        b"!!binary ",
        b"- [ ] ",
        b"- [x] ",
        b"\xf0\x9f\x93\x85 ",
        b"```\n",
        b"#tag ",
        b"::",
        b"'",
        b'"',
        b"\\",
        b"\xc3",
        b"\xe9",
        b"|\n",
        b">-\n",
        b"  ",
        b"? ",
        b": ",
        b"%YAML 1.2\n",
    ]
)


@FUZZ
@given(st.lists(FRAGMENTS | st.binary(max_size=20), max_size=60).map(b"".join))
def test_note_shaped_bytes_never_raise(configs, data):
    """Bytes made of the pieces notes are made of, so they reach the YAML and body parsers."""
    pipeline(configs["full"], {"companies/Fuzz.md": data, "people/Fuzz.md": data, "Fuzz.md": data})


# ---- YAML


KEYS = st.sampled_from(
    [f.name for f in FIELDS] + ["type", "date", "with", "Name", "STAGE", "follow-up", ""]
) | st.text(max_size=10)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=40)
    | st.dates().map(date.isoformat)
    | st.datetimes().map(lambda d: d.isoformat(timespec="minutes"))
    | st.sampled_from(
        [
            "[[Jane Doe]]",
            "[[Globex]]",
            "applied",
            "offer",
            "3w",
            "monthly",
            "2026-12-04",
            "2026-12-04 14:30",
            "2026-12-04T14:30+09:00",
        ]
    )
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
FRONTMATTER = st.dictionaries(KEYS, VALUES, max_size=12)


@FUZZ
@given(FRONTMATTER, st.sampled_from(DETAILS), st.text(max_size=200))
def test_arbitrary_yaml_through_the_pipeline(configs, meta, detail, body):
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    data = text.encode("utf-8", "surrogatepass")
    pipeline(
        configs[detail], {"companies/Fuzz.md": data, "people/Fuzz.md": data, "2026-11-30.md": data}
    )


YAMLISH = st.lists(
    st.sampled_from(
        [
            "key: value\n",
            "follow_up: 2026-12-04\n",
            "stage: applied\n",
            "- item\n",
            "  nested: x\n",
            "interviews:\n",
            "  - date: 2026-11-20\n",
            "    with: [[Jane Doe]]\n",
            "a: &x [1, 2]\n",
            "b: *x\n",
            "c: *y\n",
            "d: !!set {a, b}\n",
            "e: !!binary aGk=\n",
            "f: !!python/name:os\n",
            "\t",
            ": ",
            "? ",
            "{",
            "}",
            "[",
            "]",
            ",",
            "'",
            '"',
            "\\",
            "\n",
            "#",
            "|",
            ">",
            "---\n",
            "...\n",
            "%TAG ! tag:x,2000:\n",
            "!x ",
            "&a ",
            "*a ",
        ]
    )
    | st.text(max_size=8),
    max_size=40,
).map("".join)


@FUZZ
@given(YAMLISH, st.sampled_from(DETAILS))
def test_yamlish_text_through_the_pipeline(configs, source, detail):
    data = ("---\n" + source + "\n---\nbody [[Globex]]\n").encode("utf-8", "surrogatepass")
    pipeline(configs[detail], {"companies/Fuzz.md": data, "people/Fuzz.md": data})


# ---- strings into every field, and into file names

TEXT = st.text(max_size=60) | st.sampled_from(
    [
        "<script>alert(1)</script>",
        "a,b;c\\d\"e'f",
        "line\nbreak\r\nx\rz",
        "\x00\x07\x1b[2J",
        "\u2028\u2029\u202e",
        "é" * 80,
        "😀" * 30,
        "e\u0301\u0301\u0301",
        "[[Jane Doe]]",
        "]]",
        "[[",
        "[[Globex|G]]",
        "https://x.example/?a=1&b=<2>",
        "javascript:alert(1)",
        "9999-12-31",
        "2026-12-04T25:00",
        "2026-12-04 10:00 +14:00",
        "0",
        "-1",
        "1e400",
        "nan",
        "",
    ]
)
NAME = st.text(
    st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1, max_size=30
).filter(lambda n: n.strip(". ") and n[0] != ".")


def _note_with(values: dict[str, str]) -> bytes:
    return (
        "---\n" + yaml.safe_dump(values, allow_unicode=True) + "---\n"
        "## Log\n- 2026-11-20 met [[Jane Doe]] #thank-you\n- [ ] call 📅 2026-12-05\n"
    ).encode("utf-8", "surrogatepass")


@FUZZ
@given(
    st.fixed_dictionaries({f.name: TEXT for f in FIELDS if "company" in f.applies_to}),
    st.fixed_dictionaries({f.name: TEXT for f in FIELDS if "contact" in f.applies_to}),
    NAME,
    NAME,
    st.sampled_from(DETAILS),
)
def test_arbitrary_strings_in_every_field(
    configs, company, contact, company_name, contact_name, detail
):
    company = {**company, "stage": company["stage"] or "interviewing", "follow_up": "2026-12-04"}
    contact = {**contact, "follow_up": contact["follow_up"] or "2026-12-04T10:00"}
    files = pipeline(
        configs[detail],
        {
            f"companies/{company_name}.md": _note_with(company),
            f"people/{contact_name}.md": _note_with(contact),
        },
    )
    for name, data in files.items():
        if name.endswith(".html"):
            assert b"<script" not in data and b'href="javascript:' not in data, name
    if detail == "private":
        assert_private_feed(files["followups.ics"])
    elif detail == "minimal":
        assert_minimal_feed(
            files["followups.ics"], {company["name"].strip() or company_name, "Globex"}
        )


@FUZZ
@given(st.lists(NAME, min_size=1, max_size=8, unique=True))
def test_arbitrary_file_names_get_distinct_safe_pages(configs, names):
    notes = {f"people/{n}.md": b"---\nfollow_up: 2026-12-04\n---\n" for n in names}
    files = pipeline(configs["full"], notes)
    pages = [p for p in files if p.startswith("notes/people/")]
    assert len([p for p in pages if p.endswith(".html")]) == len(names) + 1  # + Jane Doe
    for page in pages:
        assert all(part not in ("", ".", "..") for part in page.split("/"))
        assert page.isascii() and "\\" not in page


def test_fuzz_profile_is_bounded():
    """The default run stays fast; VAULTKIT_FUZZ=long is the way to spend hours."""
    assert settings.get_profile("fuzz").max_examples <= 100
    assert Path(__file__).name == "test_fuzz.py"
