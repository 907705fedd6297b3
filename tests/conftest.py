from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultkit.pipeline import evaluate
from vaultkit.vault.config import Config, load_config
from vaultkit.vault.model import Vault, build_model
from vaultkit.vault.parse import parse_note

REPO = Path(__file__).resolve().parent.parent
SAMPLE_VAULT = REPO / "sample-vault"
TODAY = date(2026, 12, 1)
"""The day every test runs as (passed in, never the clock)."""
TODAY_ARG = TODAY.isoformat()
"""TODAY as the CLI's `--today` takes it."""


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    """An empty vault pinned to a time zone, so tests do not depend on the machine's."""
    root = tmp_path / "vault"
    root.mkdir()
    (root / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n')
    return root


@pytest.fixture
def write_note(vault_dir: Path) -> Callable[..., Path]:
    """write_note("companies/Globex.md", '''---\\nstage: applied\\n---\\n''') -> the path."""

    def write(rel: str, text: str, *, dedent: bool = True) -> Path:
        path = vault_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n") if dedent else text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(vault_dir: Path) -> Callable[[], Vault]:
    return lambda: evaluate(load_config(vault_dir), TODAY).vault


def model_of(notes: dict[str, str], settings: dict[str, object] | None = None) -> Vault:
    """The model of a vault that exists only in memory: `{path: text}` notes (dedented) and
    flat settings (`{"rules.stale.days": 10}`), in Europe/Berlin. No disk, no cache, no
    identities (a follow-up's id keys on the note's path): for rule and model tests."""
    config = Config(
        vault=Path("/in-memory"), values=dict(settings or {}), timezone_name="Europe/Berlin"
    )
    parsed = [
        parse_note(rel, textwrap.dedent(text).lstrip("\n").encode()) for rel, text in notes.items()
    ]
    return build_model(parsed, config)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own cache folder, never the user's."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # serve's secrets
    return folder


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1", "VAULTKIT_VAULT": None})


# Hypothesis profiles for the fuzz tests (tests/test_fuzz.py applies them): bounded by default,
# VAULTKIT_FUZZ=long for a long run.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("fuzz", max_examples=50, deadline=None)
_hypothesis_settings.register_profile("fuzz-long", max_examples=5000, deadline=None)


CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, as root, offline: without these it keeps reaching for Google's servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium driven by Playwright; skips where either is missing (CI installs
    Debian's `chromium`; Playwright never downloads a browser here)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
