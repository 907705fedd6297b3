"""The HTTP server over real loopback sockets (port 0), with a real Watcher behind it."""

from __future__ import annotations

import http.client
import os
import threading
import time
from pathlib import Path

import pytest
from conftest import TODAY
from site_helpers import make_vault

from vaultkit.commands.serve import (
    EVENTS_PATH,
    Keys,
    LiveReload,
    addresses,
    make_server,
    resolve_file,
    split_request_path,
    valid_token,
)
from vaultkit.commands.watch import Watcher
from vaultkit.vault.config import load_config

TIMEOUT = 10
KEYS = Keys(site="site-secret-0123456789", feed="feed-secret-0123456789")


class Site:
    """A watched vault served on loopback; `request` puts the site's secret in front of a
    path (`raw=True` sends the path as given)."""

    def __init__(self, vault: Path, keys: Keys = KEYS, detail: str = "full") -> None:
        self.vault = vault
        self.keys = keys
        self.live = LiveReload()

        def on_rebuild(rebuild):
            if rebuild.number > 1:
                self.live.publish(rebuild.error)

        self.watcher = Watcher(
            lambda: load_config(vault), lambda _c: TODAY, None, on_rebuild, delay=0.1
        )
        self.watcher.start()
        self.server = make_server(
            lambda: self.watcher.out_dir, keys, "127.0.0.1", 0, self.live, detail=lambda: detail
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        raw: bool = False,
    ):
        if not raw:
            path = f"/{self.keys.site}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=TIMEOUT)
        try:
            conn.putrequest(
                method, path, skip_accept_encoding=True, skip_host="Host" in (headers or {})
            )
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            return response, data
        finally:
            conn.close()

    def close(self) -> None:
        self.server.shutdown_all()
        self.thread.join(TIMEOUT)
        self.watcher.stop()


@pytest.fixture
def site(tmp_path):
    s = Site(make_vault(tmp_path / "v"))
    yield s
    s.close()
    assert not s.thread.is_alive()


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/followups.ics", "text/calendar; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/agenda.md", "text/markdown; charset=utf-8"),
        ("/vault.json", "application/json"),
        ("/style.css", "text/css; charset=utf-8"),
    ],
)
def test_content_types(site, path, ctype):
    response, body = site.request("GET", path)
    assert response.status == 200
    assert response.getheader("Content-Type") == ctype
    assert int(response.getheader("Content-Length")) == len(body) > 0
    assert response.getheader("ETag") and response.getheader("Last-Modified")


def test_feed_bytes_are_the_file(site):
    _, body = site.request("GET", "/followups.ics")
    assert body == (site.vault / "_site/followups.ics").read_bytes()
    assert body.startswith(b"BEGIN:VCALENDAR")


def test_etag_and_last_modified_give_304(site):
    response, body = site.request("GET", "/followups.ics")
    etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
    again, empty = site.request("GET", "/followups.ics", {"If-None-Match": etag})
    assert again.status == 304 and empty == b""
    assert again.getheader("ETag") == etag
    again, _ = site.request("GET", "/followups.ics", {"If-None-Match": f'W/{etag}, "x"'})
    assert again.status == 304
    again, _ = site.request("GET", "/followups.ics", {"If-Modified-Since": modified})
    assert again.status == 304
    stale, body2 = site.request("GET", "/followups.ics", {"If-None-Match": '"other"'})
    assert stale.status == 200 and body2 == body
    old, _ = site.request(
        "GET", "/followups.ics", {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert old.status == 200


def test_head_has_headers_and_no_body(site):
    get, body = site.request("GET", "/followups.ics")
    head, nothing = site.request("HEAD", "/followups.ics")
    assert head.status == 200 and nothing == b""
    assert head.getheader("Content-Length") == str(len(body))
    assert head.getheader("ETag") == get.getheader("ETag")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_405(site, method):
    response, _ = site.request(method, "/index.html", body=b"x")
    assert response.status == 405
    assert response.getheader("Allow") == "GET, HEAD"


@pytest.mark.parametrize(
    "path",
    [
        "/../vaultkit.toml",
        "/notes/../../vaultkit.toml",
        "/%2e%2e/vaultkit.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2fvaultkit.toml",
        "/notes%2f..%2f..%2fvaultkit.toml",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "/a%00b",
        "/.vaultkit-manifest.json",
        "/..\\vaultkit.toml",
        "/%5c..%5cvaultkit.toml",
        "http://example.org/index.html",
        "/nope.html",
        "/notes/",
        "/outside-link/secret.md",
        "/outside-file.md",
    ],
)
def test_nothing_outside_the_output_folder(site, tmp_path, path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.md").write_text("top secret")
    site_dir = site.vault / "_site"
    (site_dir / "outside-link").symlink_to(secret, target_is_directory=True)
    (site_dir / "outside-file.md").symlink_to(secret / "secret.md")
    response, body = site.request("GET", path)
    assert response.status == 404, (path, response.status)
    assert b"secret" not in body and b"timezone" not in body and b"root:" not in body


def test_folder_serves_its_index_only(site):
    prefix = f"/{site.keys.site}"
    site_dir = site.vault / "_site"
    (site_dir / "docs").mkdir()
    (site_dir / "docs/a.txt").write_text("a")
    listing, _ = site.request("GET", "/docs/")
    assert listing.status == 404
    (site_dir / "docs/index.html").write_text("<html><body>docs</body></html>")
    redirect, _ = site.request("GET", "/docs")
    assert redirect.status == 301 and redirect.getheader("Location") == f"{prefix}/docs/"
    page, body = site.request("GET", "/docs/")
    assert page.status == 200 and b"docs" in body


def test_split_request_path():
    assert split_request_path("/a/b.html?x=1#y") == ["a", "b.html"]
    assert split_request_path("/") == []
    assert split_request_path("/Jane%20Doe.html") == ["Jane Doe.html"]
    for bad in (
        "/../x",
        "/%2e%2e/x",
        "/%2E%2e/x",
        "/a%2fb",
        "/a%5cb",
        "/a%00",
        "/.git/x",
        "x/y",
        "",
        "/%ff",
    ):
        assert split_request_path(bad) is None, bad


def test_token_shape():
    from vaultkit.commands.serve import new_token

    assert valid_token(new_token()) and valid_token("a" * 16)
    assert not valid_token("short") and not valid_token("has/slash-0123456789")


def test_only_the_two_secrets_open_anything(site):
    keys = site.keys
    assert site.request("GET", "/index.html")[0].status == 200
    ok, feed = site.request("GET", f"/{keys.feed}/followups.ics", raw=True)
    assert ok.status == 200 and feed == (site.vault / "_site/followups.ics").read_bytes()
    for path in (
        "/followups.ics",
        "/index.html",
        "/",
        f"/{keys.feed}/index.html",  # the feed's secret opens the feed only
        f"/{keys.feed}/",
        f"/{keys.feed}/{EVENTS_PATH}",
        f"/{keys.site[:-1]}/index.html",
        f"/{keys.site}x/index.html",
        f"/{keys.site.upper()}/index.html",
        f"/%2e%2e/{keys.site}/index.html",
        f"/{keys.site}/../index.html",
    ):
        assert site.request("GET", path, raw=True)[0].status == 404, path
    _, page = site.request("GET", "/index.html")
    assert f'"/{keys.site}/_vaultkit/events"'.encode() in page


def test_secrets_never_logged(tmp_path):
    lines: list[str] = []
    live = LiveReload()
    root = make_vault(tmp_path / "v")
    (root / "_site").mkdir()
    (root / "_site/followups.ics").write_text("a")
    server = make_server(
        lambda: root / "_site", KEYS, "127.0.0.1", 0, live, verbose=True, log=lines.append
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in (f"/{KEYS.feed}/followups.ics", f"/{KEYS.site}/followups.ics"):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
            conn.request("GET", path)
            assert conn.getresponse().read() == b"a"
            conn.close()
    finally:
        server.shutdown_all()
        thread.join(TIMEOUT)
    assert len(lines) == 2 and all(KEYS.feed not in x and KEYS.site not in x for x in lines)


def test_quiet_by_default(site, capsys):
    site.request("GET", "/index.html")
    site.request("GET", "/missing")
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example:8765", 404),
        ("localhost:8765@evil.example", 404),
        ("localhost:8765 evil.example", 404),
        ("127.0.0.1:99999", 404),
        ("[::1", 404),
        ("localhost:8765", 200),
        ("127.0.0.1:8765", 200),
        ("[::1]:8765", 200),
        ("localhost", 200),
    ],
)
def test_the_site_answers_only_a_loopback_host(site, host, status):
    """A page that rebinds its own name to 127.0.0.1, or a tunnel (its requests name the
    tunnel's host), never reaches the site, even with its secret."""
    response, _ = site.request("GET", "/index.html", {"Host": host})
    assert response.status == status, host


def test_reload_script_in_html_only(site):
    _, page = site.request("GET", "/index.html")
    assert page.count(b"new EventSource") == 1
    assert page.index(b"vaultkit serve: live reload") < page.rindex(b"</body>")
    assert (site.vault / "_site/index.html").read_bytes().count(b"EventSource") == 0
    for path in ("/followups.ics", "/agenda.md", "/vault.json", "/style.css"):
        _, body = site.request("GET", path)
        assert b"EventSource" not in body, path


def read_event(response) -> tuple[str, str]:
    name = data = ""
    while True:
        line = response.fp.readline().decode()
        if not line:
            raise AssertionError("event stream closed")
        line = line.rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and name:
            return name, data


def test_sse_sends_reload_after_a_rebuild(site):
    conn = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=TIMEOUT)
    try:
        conn.request("GET", f"/{site.keys.site}/{EVENTS_PATH}")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/event-stream")
        name, data = read_event(response)
        assert name == "hello" and '"error": null' in data
        (site.vault / "Plan.md").write_text("- [ ] Changed 📅 2026-12-09\n")
        name, data = read_event(response)
        assert name == "reload" and '"version": 1' in data and '"error": null' in data
    finally:
        conn.close()
    _, feed = site.request("GET", "/followups.ics")
    assert b"Changed" in feed


def test_sse_carries_a_build_error(site, monkeypatch):
    from vaultkit.commands.engine import Engine

    def broken(self, **options):
        raise RuntimeError("the build broke")

    conn = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=TIMEOUT)
    try:
        conn.request("GET", f"/{site.keys.site}/{EVENTS_PATH}")
        response = conn.getresponse()
        assert read_event(response)[0] == "hello"
        monkeypatch.setattr(Engine, "refresh", broken)
        (site.vault / "Plan.md").write_text("# Plan\n")
        name, data = read_event(response)
        assert name == "reload" and "the build broke" in data
    finally:
        conn.close()
    assert site.live.error == "RuntimeError: the build broke"


def test_concurrent_clients_never_see_a_partial_feed(site):
    failures: list[str] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            response, body = site.request("GET", "/followups.ics")
            if (
                response.status != 200
                or not body.startswith(b"BEGIN:VCALENDAR")
                or not body.rstrip().endswith(b"END:VCALENDAR")
            ):
                failures.append(f"{response.status} {body[-40:]!r}")

    clients = [threading.Thread(target=poll, daemon=True) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        for i in range(20):
            (site.vault / "Plan.md").write_text(f"- [ ] Task {i} 📅 2026-12-09\n" * (i + 1))
            time.sleep(0.03)
        assert site.watcher.wait_until(
            lambda: b"Task 19" in (site.vault / "_site/followups.ics").read_bytes(), TIMEOUT
        )
    finally:
        stop.set()
        for client in clients:
            client.join(TIMEOUT)
    assert not failures, failures[:3]


def test_resolve_file_refuses_symlinks_out(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "ok.html").write_text("ok")
    (tmp_path / "secret.txt").write_text("s")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    assert resolve_file(root, ["ok.html"]) == (root / "ok.html").resolve()
    assert resolve_file(root, ["link.txt"]) is None
    assert resolve_file(root, ["..", "secret.txt"]) is None
    assert resolve_file(root, [str(tmp_path / "secret.txt")]) is None


def test_addresses():
    where = addresses("127.0.0.1", 8765, KEYS)
    assert where == {
        "page": f"http://127.0.0.1:8765/{KEYS.site}/",
        "feed": f"http://127.0.0.1:8765/{KEYS.feed}/followups.ics",
        "webcal": f"webcal://127.0.0.1:8765/{KEYS.feed}/followups.ics",
    }
    assert addresses("0.0.0.0", 80, KEYS)["webcal"].startswith("webcal://127.0.0.1:80/")
    assert addresses("::1", 1, KEYS)["page"] == f"http://[::1]:1/{KEYS.site}/"


def test_a_client_polling_during_100_rebuilds_never_gets_an_invalid_calendar(tmp_path):
    from icalendar import Calendar

    import vaultkit.commands.build as build_module

    vault = make_vault(tmp_path / "v")
    config = load_config(vault)
    build_module.build(config, TODAY)
    server = make_server(lambda: vault / "_site", KEYS, "127.0.0.1", 0, LiveReload())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = threading.Event()
    failures: list[str] = []
    fetched = [0]

    def poll() -> None:
        while not stop.is_set():
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
            try:
                conn.request("GET", f"/{KEYS.feed}/followups.ics")
                response = conn.getresponse()
                body = response.read()
                Calendar.from_ical(body)
                if response.status != 200 or not body.rstrip().endswith(b"END:VCALENDAR"):
                    failures.append(f"{response.status} {body[-40:]!r}")
                fetched[0] += 1
            except Exception as exc:
                failures.append(repr(exc))
            finally:
                conn.close()

    clients = [threading.Thread(target=poll, daemon=True) for _ in range(3)]
    for client in clients:
        client.start()
    try:
        for i in range(100):
            (vault / "Plan.md").write_text(f"- [ ] Task {i} 📅 2026-12-09\n" * (i % 7 + 1))
            build_module.build(config, TODAY)
    finally:
        stop.set()
        for client in clients:
            client.join(TIMEOUT)
        server.shutdown_all()
        thread.join(TIMEOUT)
    assert not failures, failures[:3]
    assert fetched[0] > 10
    assert b"Task 99" in (vault / "_site/followups.ics").read_bytes()


def test_cli_wires_serve(runner, tmp_path):
    from unittest import mock

    import vaultkit.commands.serve as serve_module
    from vaultkit.cli import cli

    vault = make_vault(tmp_path / "v")
    with mock.patch.object(serve_module, "serve", autospec=True) as fake:
        result = runner.invoke(
            cli,
            [
                "serve",
                "--vault",
                str(vault),
                "--today",
                "2026-12-01",
                "--host",
                "0.0.0.0",
                "--port",
                "0",
                "--token",
                "a" * 20,
                "--verbose",
            ],
        )
    assert result.exit_code == 0, result.output
    args, kwargs = fake.call_args
    loader, today, out, _echo = args
    assert loader().vault == vault.resolve() and today == TODAY and out is None
    assert kwargs == {
        "host": "0.0.0.0",
        "port": 0,
        "token": "a" * 20,
        "verbose": True,
        "force": False,
    }


def test_cli_wires_watch(runner, tmp_path):
    from unittest import mock

    import vaultkit.commands.watch as watch_module
    from vaultkit.cli import cli

    vault = make_vault(tmp_path / "v")
    with mock.patch.object(watch_module, "watch", autospec=True) as fake:
        result = runner.invoke(
            cli, ["watch", "--vault", str(vault), "--out", str(tmp_path / "out")]
        )
    assert result.exit_code == 0, result.output
    loader, today, out, _echo = fake.call_args.args
    assert loader().vault == vault.resolve() and today is None
    assert out == (tmp_path / "out").absolute()


def test_port_in_use_is_a_clear_error(runner, tmp_path):
    import socket

    from vaultkit.cli import cli

    vault = make_vault(tmp_path / "v")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(
            cli, ["serve", "--vault", str(vault), "--today", "2026-12-01", "--port", str(port)]
        )
    assert result.exit_code == 2, result.output
    assert "cannot listen on 127.0.0.1" in result.output


def test_bad_token_is_refused(runner, tmp_path):
    from vaultkit.cli import cli

    vault = make_vault(tmp_path / "v")
    result = runner.invoke(cli, ["serve", "--vault", str(vault), "--token", "short"])
    assert result.exit_code == 2 and "--token" in result.output


def test_ipv6_loopback(tmp_path):
    import socket

    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    (tmp_path / "index.html").write_text("<html><body>v6</body></html>")
    try:
        server = make_server(lambda: tmp_path, KEYS, "::1", 0, LiveReload())
    except OSError:
        pytest.skip("no IPv6 loopback here")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("::1", server.port, timeout=TIMEOUT)
        conn.request("GET", f"/{KEYS.site}/")
        response = conn.getresponse()
        assert response.status == 200 and b"v6" in response.read()
        conn.close()
    finally:
        server.shutdown_all()
        thread.join(TIMEOUT)
