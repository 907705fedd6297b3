"""Privacy levels cover everything published (H3), and the output folders hold only what
vaultkit wrote (M4).

- The site (every page, vault.json: emails, phone numbers, notes) is for the user; the
  publish folder holds the feed alone, at `feed.detail`. With `private` or `minimal`, nothing
  in the publish folder, and nothing `serve` shows another machine, says more than that level.
- An output folder holding files vaultkit did not write is refused unless `--force`.
"""

from __future__ import annotations

import http.client
import json
import stat
import threading

import pytest
from attack_helpers import TODAY, assert_minimal_feed, assert_private_feed, make_vault

from vaultkit.cli import cli
from vaultkit.commands.serve import Keys, LiveReload, make_server
from vaultkit.vault.config import load_config

KEYS = Keys(site="site-secret-0123456789", feed="feed-secret-0123456789")
SECRETS = ("jane@globex.example", "+1 555 0100", "Globex", "Jane Doe", "Staff Engineer")


def _vault(tmp_path, detail: str):
    vault = make_vault(tmp_path / "vault")
    (vault / "vaultkit.toml").write_text(
        f'timezone = "Europe/Berlin"\n[feed]\ndetail = "{detail}"\n'
    )
    (vault / "people/Jane Doe.md").write_text(
        '---\ncompany: "[[Globex]]"\nemail: jane@globex.example\nphone: "+1 555 0100"\n'
        "follow_up: 2026-12-02T10:30\n---\nMet at the conference.\n"
    )
    return vault


def _at_level(detail: str, feed: bytes) -> None:
    if detail == "private":
        assert_private_feed(feed)
    else:
        assert_minimal_feed(feed, {"Globex"})


def _build(runner, vault, *extra):
    result = runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY, *extra])
    assert result.exit_code in (0, 1), result.output
    return result


@pytest.mark.parametrize("detail", ["private", "minimal"])
def test_the_publish_folder_holds_only_the_feed_at_its_level(runner, tmp_path, detail):
    vault = _vault(tmp_path, detail)
    _build(runner, vault)
    published = vault / "_publish"
    assert sorted(p.name for p in published.iterdir() if not p.name.startswith(".")) == [
        "followups.ics"
    ]
    feed = (published / "followups.ics").read_bytes()
    _at_level(detail, feed)
    everything = b"".join(p.read_bytes() for p in published.rglob("*") if p.is_file())
    for secret in SECRETS[:2] + SECRETS[3:]:
        assert secret.encode() not in everything, secret
    # the site is the user's, and has everything; the feed there is the same one
    site = vault / "_site"
    assert b"jane@globex.example" in (site / "vault.json").read_bytes()
    assert (site / "followups.ics").read_bytes() == feed


@pytest.mark.parametrize("detail", ["private", "minimal"])
def test_the_site_is_private_to_its_owner_at_a_private_level(runner, tmp_path, detail):
    vault = _vault(tmp_path, detail)
    _build(runner, vault)
    assert stat.S_IMODE((vault / "_site").stat().st_mode) == 0o700


def test_the_publish_folder_can_be_anywhere_and_off(runner, tmp_path):
    vault = _vault(tmp_path, "private")
    public = tmp_path / "Dropbox" / "Public" / "jobs"
    (vault / "vaultkit.toml").write_text(
        f'timezone = "Europe/Berlin"\npublish = "{public}"\n[feed]\ndetail = "private"\n'
    )
    _build(runner, vault)
    assert_private_feed((public / "followups.ics").read_bytes())
    assert not (vault / "_publish").exists()
    (vault / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\npublish = ""\n')
    _build(runner, vault)
    assert not (vault / "_publish").exists()


@pytest.mark.parametrize("publish", [".", "_site", "_site/public", ".."])
def test_the_publish_folder_is_kept_apart(runner, tmp_path, publish):
    vault = _vault(tmp_path, "private")
    (vault / "vaultkit.toml").write_text(f'publish = "{publish}"\n[feed]\ndetail = "private"\n')
    result = runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY])
    assert result.exit_code == 2, result.output
    assert "publish folder" in result.output


# ---- serve: what another machine (or a tunnel) can read


class Served:
    def __init__(self, site_dir, detail: str, off_loopback: bool) -> None:
        self.server = make_server(
            lambda: site_dir, KEYS, "127.0.0.1", 0, LiveReload(), detail=lambda: detail
        )
        self.server.loopback_only = not off_loopback  # as if bound to 0.0.0.0
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def get(self, path: str, host: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": host})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def close(self) -> None:
        self.server.shutdown_all()
        self.thread.join(10)


SITE_PATHS = ["/", "/index.html", "/vault.json", "/agenda.md", "/notes/people/jane-doe.html"]
ELSEWHERE = ["192.168.1.20:8765", "abc-tunnel.trycloudflare.com", "jobs.example.org"]


@pytest.mark.parametrize("detail", ["private", "minimal"])
@pytest.mark.parametrize("off_loopback", [True, False])
def test_other_machines_and_tunnels_see_only_the_feed(runner, tmp_path, detail, off_loopback):
    vault = _vault(tmp_path, detail)
    _build(runner, vault)
    served = Served(vault / "_site", detail, off_loopback)
    try:
        for host in ELSEWHERE:
            status, feed = served.get(f"/{KEYS.feed}/followups.ics", host)
            assert status == 200
            _at_level(detail, feed)
            for path in SITE_PATHS:
                for key in (KEYS.site, KEYS.feed):
                    status, body = served.get(f"/{key}{path}", host)
                    assert status == 404, (host, key, path)
                    assert b"jane" not in body.lower()
        # the user's own browser still has the whole site
        status, body = served.get(f"/{KEYS.site}/vault.json", "127.0.0.1:8765")
        assert status == 200 and b"jane@globex.example" in body
    finally:
        served.close()


def test_at_full_detail_another_machine_may_read_the_site_with_its_secret(runner, tmp_path):
    vault = _vault(tmp_path, "full")
    _build(runner, vault)
    served = Served(vault / "_site", "full", off_loopback=True)
    try:
        status, body = served.get(f"/{KEYS.site}/vault.json", ELSEWHERE[0])
        assert status == 200 and b"jane@globex.example" in body
        assert served.get("/vault.json", ELSEWHERE[0])[0] == 404
    finally:
        served.close()
    # but a tunnel to a loopback-only server never does
    served = Served(vault / "_site", "full", off_loopback=False)
    try:
        assert served.get(f"/{KEYS.site}/vault.json", ELSEWHERE[1])[0] == 404
    finally:
        served.close()


# ---- M4: an output folder that holds other files


def test_an_output_folder_with_files_vaultkit_did_not_write_is_refused(runner, tmp_path):
    vault = _vault(tmp_path, "full")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("<h1>my own homepage</h1>")
    (vault / "vaultkit.toml").write_text('output = "../victim"\n')
    result = runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY])
    assert result.exit_code == 2, result.output
    assert "did not write" in result.output and "index.html" in result.output
    assert "--force" in result.output
    assert (victim / "index.html").read_text() == "<h1>my own homepage</h1>"
    assert sorted(p.name for p in victim.iterdir()) == ["index.html"]
    # the same through --out, and through serve and watch
    for command in (["build"], ["build", "--out", str(victim)]):
        result = runner.invoke(cli, [*command, "--vault", str(vault), "--today", TODAY])
        assert result.exit_code == 2 and "did not write" in result.output
    # said explicitly on the command line, it goes ahead (and removes nothing of the user's)
    result = runner.invoke(cli, ["build", "--force", "--vault", str(vault), "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    assert (victim / "followups.ics").is_file()
    manifest = json.loads((victim / ".vaultkit-manifest.json").read_text())
    assert "index.html" in manifest["files"]  # overwritten, as --force said it would be
    # from then on it is vaultkit's folder: the next build needs no --force
    assert runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY]).exit_code in (
        0,
        1,
    )


def test_a_new_or_empty_or_git_only_folder_needs_no_force(runner, tmp_path):
    vault = _vault(tmp_path, "full")
    for name, setup in (("new", None), ("empty", "mkdir"), ("git", "git")):
        folder = tmp_path / name
        if setup:
            folder.mkdir()
        if setup == "git":
            (folder / ".git").mkdir()
        result = runner.invoke(
            cli, ["build", "--vault", str(vault), "--today", TODAY, "--out", str(folder)]
        )
        assert result.exit_code in (0, 1), (name, result.output)
        assert (folder / "index.html").is_file()


def test_serve_refuses_such_a_folder_too(runner, tmp_path):
    vault = _vault(tmp_path, "full")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("mine")
    result = runner.invoke(
        cli,
        ["serve", "--vault", str(vault), "--today", TODAY, "--port", "0", "--out", str(victim)],
    )
    assert result.exit_code == 2, result.output
    assert "did not write" in result.output
    assert (victim / "index.html").read_text() == "mine"


def test_a_publish_folder_with_other_files_is_refused(runner, tmp_path):
    vault = _vault(tmp_path, "private")
    public = tmp_path / "Public"
    public.mkdir()
    (public / "followups.ics").write_text("someone else's calendar")
    (vault / "vaultkit.toml").write_text(f'publish = "{public}"\n[feed]\ndetail = "private"\n')
    result = runner.invoke(cli, ["build", "--vault", str(vault), "--today", TODAY])
    assert result.exit_code == 2 and "did not write" in result.output, result.output
    assert (public / "followups.ics").read_text() == "someone else's calendar"


def test_config_reads_publish(tmp_path):
    vault = _vault(tmp_path, "private")
    assert load_config(vault).publish_dir == vault.resolve() / "_publish"
