"""`serve` against clients that misbehave and pages that snoop (loopback sockets only).

M1 one client cannot stop the server: idle connections, slow headers, huge headers, and a
   feed that is never answered wrongly when the machine runs out of descriptors.
M2 another origin or another user of the machine reads nothing without the secret, not even
   which notes exist; the secrets are kept where only their owner can read them.
L1 a request body is never taken for the next request; L2 a client that goes away is not a
   traceback, nor is a date no calendar has; L3 `--verbose` never writes a client's terminal
   escapes; L13 private pages are not stored by caches.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import socket
import stat
import threading
import time

import pytest
from site_helpers import make_vault

import vaultkit.commands.serve as serve_module
from vaultkit.commands.build import build
from vaultkit.commands.serve import Keys, LiveReload, keys_file, load_keys, make_server
from vaultkit.vault.config import load_config

KEYS = Keys(site="site-secret-0123456789", feed="feed-secret-0123456789")
TIMEOUT = 10


@pytest.fixture
def served(tmp_path):
    """A built vault served on loopback: (server, site folder, log lines)."""
    from conftest import TODAY

    vault = make_vault(tmp_path / "v")
    build(load_config(vault), TODAY)
    lines: list[str] = []
    server = make_server(
        lambda: vault / "_site", KEYS, "127.0.0.1", 0, LiveReload(), verbose=True, log=lines.append
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, vault / "_site", lines
    server.shutdown_all()
    thread.join(TIMEOUT)


def get(server, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def feed_ok(server, site) -> bool:
    response, body = get(server, f"/{KEYS.feed}/followups.ics")
    return response.status == 200 and body == (site / "followups.ics").read_bytes()


def connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


# ---- M1


def test_hundreds_of_idle_connections_do_not_stop_the_feed(served):
    server, site, _ = served
    idle = []
    try:
        for _ in range(400):
            idle.append(connect(server))
        time.sleep(0.2)
        started = time.monotonic()
        assert feed_ok(server, site)
        assert time.monotonic() - started < 5
        assert server.connections <= serve_module.MAX_CONNECTIONS
    finally:
        for sock in idle:
            sock.close()


def test_a_slow_client_is_cut_off(served, monkeypatch):
    server, site, _ = served
    monkeypatch.setattr(serve_module, "HEAD_TIMEOUT", 1.0)
    sock = connect(server)
    started = time.monotonic()
    closed = False
    try:
        sock.sendall(b"GET /" + KEYS.site.encode() + b"/index.html HTTP/1.1\r\nX-Slow: ")
        while time.monotonic() - started < 8:
            try:
                sock.sendall(b"a")
            except OSError:
                closed = True
                break
            sock.settimeout(0.2)
            try:
                if sock.recv(100) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
    finally:
        sock.close()
    assert closed and time.monotonic() - started < 4
    assert feed_ok(server, site)


def test_oversized_headers_are_refused_before_they_are_read(served):
    server, site, _ = served
    sock = connect(server)
    sent = 0
    try:
        sock.sendall(b"GET /" + KEYS.feed.encode() + b"/followups.ics HTTP/1.1\r\n")
        header = b"X-Big: " + b"a" * 4000 + b"\r\n"
        for _ in range(2000):  # 8 MB, if the server would take it
            try:
                sock.sendall(header)
            except OSError:
                break
            sent += len(header)
        answer = read_all(sock)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 431"), answer[:80]
    assert sent < 4 * 1024 * 1024  # the server stopped reading long before
    assert feed_ok(server, site)


def test_a_feed_that_cannot_be_opened_is_a_503_never_a_404(served, monkeypatch):
    server, site, _ = served

    def no_descriptors(*args, **kwargs):
        raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))

    monkeypatch.setattr(serve_module, "open", no_descriptors, raising=False)
    response, _ = get(server, f"/{KEYS.feed}/followups.ics")
    assert response.status == 503 and response.getheader("Retry-After")
    monkeypatch.undo()
    assert feed_ok(server, site)


# ---- M2


def test_another_origin_cannot_tell_which_notes_exist(served):
    server, site, _ = served
    assert (site / "notes/companies/globex.html").is_file()
    answers = set()
    for path in (
        "/notes/companies/globex.html",
        "/notes/companies/google.html",
        "/followups.ics",
        "/vault.json",
        "/",
    ):
        response, body = get(server, path)
        headers = tuple(sorted((k, v) for k, v in response.getheaders() if k != "Date"))
        answers.add((response.status, body, headers))
    assert len(answers) == 1 and next(iter(answers))[0] == 404


def test_a_page_of_another_site_gets_nothing_even_with_the_secret(served):
    """Say the secret leaked into another site's page: its images, scripts and fetches are
    still not answered (Sec-Fetch-Site), and what is answered cannot be read by it (CORP)."""
    server, _, _ = served
    page = f"/{KEYS.site}/notes/companies/globex.html"
    for site_kind in ("cross-site", "same-site"):
        for mode in ("no-cors", "cors"):
            response, _ = get(server, page, {"Sec-Fetch-Site": site_kind, "Sec-Fetch-Mode": mode})
            assert response.status == 404, (site_kind, mode)
    response, _ = get(server, page, {"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"})
    assert response.status == 200
    assert response.getheader("Cross-Origin-Resource-Policy") == "same-origin"
    assert response.getheader("X-Frame-Options") == "DENY"


def test_the_secrets_are_kept_for_their_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = os.umask(0o022)
    try:
        vault = make_vault(tmp_path / "v")
        first = load_keys(vault)
        assert load_keys(vault) == first  # the addresses survive a restart
        path = keys_file(vault)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert first.site != first.feed and len(first.site) >= 16
        chosen = load_keys(vault, "my-own-feed-token-123")
        assert chosen == Keys(first.site, "my-own-feed-token-123") == load_keys(vault)
        assert vault.resolve() not in path.parents  # never in the vault (synced, shared)
    finally:
        os.umask(old)


def test_secrets_planted_where_others_can_write_are_not_believed(tmp_path, monkeypatch):
    """Another user who can write the state folder (a shared `XDG_STATE_HOME`, a folder made
    world-writable) could plant `serve-<hash>.json` with secrets they know, then read the whole
    site from this machine: such a file is not believed, and nothing is kept there."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    vault = make_vault(tmp_path / "v")
    path = keys_file(vault)
    path.parent.mkdir(parents=True)
    os.chmod(path.parent, 0o777)
    planted = {"site": "planted-site-secret-0123", "feed": "planted-feed-secret-0123"}
    path.write_text(json.dumps(planted))
    keys = load_keys(vault)
    assert keys.site != planted["site"] and keys.feed != planted["feed"]
    assert json.loads(path.read_text()) == planted  # left alone, not trusted with new ones
    os.chmod(path.parent, 0o700)  # the folder made private again: a planted file stays suspect
    os.chmod(path, 0o666)
    assert load_keys(vault).site != planted["site"]


def test_the_token_can_come_from_the_environment(runner, tmp_path):
    """A token on the command line is visible to every user in the process list."""
    from unittest import mock

    from vaultkit.cli import cli

    vault = make_vault(tmp_path / "v")
    with mock.patch.object(serve_module, "serve", autospec=True) as fake:
        result = runner.invoke(
            cli, ["serve", "--vault", str(vault)], env={"VAULTKIT_TOKEN": "from-the-env-12345"}
        )
    assert result.exit_code == 0, result.output
    assert fake.call_args.kwargs["token"] == "from-the-env-12345"


# ---- L1, L2, L3, L13


def test_a_request_body_is_never_read_as_the_next_request(served):
    server, _, _ = served
    smuggled = f"GET /{KEYS.site}/vault.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    sock = connect(server)
    try:
        sock.sendall(
            b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
            + str(len(smuggled)).encode()
            + b"\r\n\r\n"
            + smuggled
        )
        answer = read_all(sock)
    finally:
        sock.close()
    assert answer.count(b"HTTP/1.1 ") == 1 and answer.startswith(b"HTTP/1.1 405")
    assert b"Globex" not in answer


def test_a_client_that_goes_away_is_not_an_error(served, capfd):
    server, site, lines = served
    (site / "big.txt").write_bytes(b"x" * 20_000_000)
    for _ in range(5):
        sock = connect(server)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.sendall(f"GET /{KEYS.site}/big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        sock.recv(10)
        sock.close()  # a reset, mid-answer
    time.sleep(0.5)
    assert feed_ok(server, site)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err[-2000:]
    assert not [line for line in lines if "error" in line.lower()], lines


@pytest.mark.parametrize(
    "since",
    [
        "Mon, 01 Jan 99999 00:00:00 GMT",
        "Mon, 99 Jan 2026 00:00:00 GMT",
        "Mon, 01 Foo 2026 00:00:00 GMT",
        "-1",
        "Mon, 01 Jan 2026 99:99:99 +9999",
        "\x00",
    ],
)
def test_a_date_no_calendar_has_is_ignored(served, capfd, since):
    server, site, _ = served
    response, body = get(server, f"/{KEYS.feed}/followups.ics", {"If-Modified-Since": since})
    assert response.status == 200 and body == (site / "followups.ics").read_bytes()
    assert "Traceback" not in capfd.readouterr().err


def test_verbose_logs_no_terminal_escapes(served):
    server, _, lines = served
    sock = connect(server)
    try:
        sock.sendall(b"GET /\x1b]0;pwned\x07\x1b[2J HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        read_all(sock)
    finally:
        sock.close()
    get(server, "/%1b[31mred", {"User-Agent": "\x1b[31mred"})
    assert lines
    for line in lines:
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in line), repr(line)


def test_private_pages_are_stored_by_no_cache(served):
    server, _, _ = served
    for path in ("/", "/vault.json", "/notes/companies/globex.html", "/agenda.md"):
        response, _ = get(server, f"/{KEYS.site}{path}")
        assert response.status == 200 and response.getheader("Cache-Control") == "no-store"
    response, _ = get(server, f"/{KEYS.feed}/followups.ics")
    assert response.getheader("Cache-Control") == "private, no-cache"  # 304s still work
