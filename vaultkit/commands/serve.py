"""`vaultkit serve`: watch the vault and serve the output folder over HTTP (stdlib only).

Two secrets, kept for each vault in a file only its owner can read (`keys_file`), make two
kinds of address, and nothing else is answered (every other path is the same 404, so a web page
or another user of the machine learns nothing, not even which notes exist):

- `/SITE/...`: the whole site, with live reload, for you. Served to this machine (a loopback
  client naming a loopback Host, so neither a tunnel nor a DNS-rebinding page reaches it), and
  to other machines only when `feed.detail` is `full`.
- `/FEED/followups.ics`: the calendar feed, at the level `feed.detail` sets (the same bytes as
  the publish folder's): the address to give a calendar app, to any client.

Robust against clients that misbehave: at most MAX_CONNECTIONS at once (a new one pushes out the
connection that has waited longest without sending a request); a request's line and headers must
arrive within HEAD_TIMEOUT and fit in MAX_HEAD_BYTES; a request with a body is answered and the
connection closed (bodies are never read, so nothing is left to be taken for the next request);
a file that cannot be opened for want of resources is a 503, never a 404; a client that goes
away is not an error. GET and HEAD only; explicit Content-Types; an ETag and Last-Modified on
every file, and 304s. Each file is one `read()` of one open file: outputs are replaced
atomically, so a client gets the old bytes or the new ones, never a mix.
"""

from __future__ import annotations

import email.utils
import errno
import hashlib
import hmac
import http.client
import ipaddress
import json
import mimetypes
import os
import re
import secrets
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from vaultkit.commands.watch import (
    ConfigLoader,
    Rebuild,
    Watcher,
    describe,
    fixed_or_real_now,
    fixed_or_real_today,
    run_until_interrupted,
)
from vaultkit.errors import VaultkitError
from vaultkit.store.atomic import atomic_write
from vaultkit.store.files import read_file
from vaultkit.vault.problems import printable

EVENTS_PATH = "_vaultkit/events"
FEED_NAME = "followups.ics"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

MAX_CONNECTIONS = 64
"""Connections served at once; a new one pushes out the one idle longest (or is closed)."""
HEAD_TIMEOUT = 10.0
"""Seconds a client has to send a request's line and headers (and to send the next one)."""
MAX_HEAD_BYTES = 16 * 1024
"""A request's line and headers; more is a 431 (browsers send under 8 KB)."""
MAX_EVENT_STREAMS = 16
"""Pages listening for live reload at once; more get a 503 (and reload by hand)."""
SEND_TIMEOUT = 30.0
"""Seconds a send may block on a client that does not read."""

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
}

RELOAD_SCRIPT = """<script>/* vaultkit serve: live reload */(function(){
var v=%d;function banner(t){var b=document.getElementById("vaultkit-error");
if(!t){if(b)b.remove();return;}if(!b){b=document.createElement("pre");b.id="vaultkit-error";
b.style.cssText="position:fixed;left:0;right:0;top:0;z-index:99999;margin:0;padding:.6em 1em;"+
"background:#b00020;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap";
document.body.appendChild(b);}b.textContent="vaultkit: the last build failed: "+t;}
if(!window.EventSource)return;var es=new EventSource(%s);
function on(e){var d={};try{d=JSON.parse(e.data);}catch(x){}
document.documentElement.setAttribute("data-vaultkit-live",String(d.version));
if(d.error){banner(d.error);}else if(d.version>v){es.close();location.reload();}else{banner(null);}}
es.addEventListener("hello",on);es.addEventListener("reload",on);})();</script>
"""


def content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_HOST = re.compile(r"(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]{1,253}))(?::([0-9]{1,5}))?")


def host_name(header: str) -> str | None:
    """The name in a Host header (`localhost:8765` -> `localhost`, `[::1]:80` -> `::1`), or None
    for anything that is not exactly a host and an optional port."""
    m = _HOST.fullmatch(header.strip())
    if not m or (m.group(3) and int(m.group(3)) > 65535):
        return None
    return m.group(1) or m.group(2)


# ---------------------------------------------------------------- the two secrets


def new_token() -> str:
    return secrets.token_urlsafe(18)


def valid_token(token: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_-]{16,}", token) is not None


@dataclass(frozen=True)
class Keys:
    site: str
    """Opens the whole site: for the user's own browser, never to be shared."""
    feed: str
    """Opens only the feed: the address a calendar app (Google's servers too) is given."""


def keys_file(vault: Path) -> Path:
    """Where `serve` keeps a vault's two secrets: the machine's state folder, not the vault
    (which a sync client or git carries elsewhere). Folder 0700, file 0600."""
    name = hashlib.sha256(os.fsencode(vault.resolve())).hexdigest()[:16]
    if base := os.environ.get("XDG_STATE_HOME"):  # asked for by name, on any system
        return Path(base) / "vaultkit" / f"serve-{name}.json"
    if sys.platform == "linux":  # platformdirs' answer, without its 15 ms of imports
        return Path.home() / ".local" / "state" / "vaultkit" / f"serve-{name}.json"
    import platformdirs

    return platformdirs.user_state_path("vaultkit", appauthor=False) / f"serve-{name}.json"


def load_keys(vault: Path, feed: str | None = None) -> Keys:
    """The vault's secrets, made on first use and kept, so that the addresses (bookmarks, a
    calendar subscription) survive a restart. `feed` (from --token) replaces the feed's."""
    path = keys_file(vault)
    stored: dict[str, Any] = {}
    try:
        if _ours_alone(path.parent, path):
            stored = json.loads(read_file(path)[:4096])
    except (OSError, ValueError, RecursionError):
        stored = {}
    site_key = stored.get("site") if isinstance(stored, dict) else None
    feed_key = stored.get("feed") if isinstance(stored, dict) else None
    keys = Keys(
        site_key if isinstance(site_key, str) and valid_token(site_key) else new_token(),
        feed or (feed_key if isinstance(feed_key, str) and valid_token(feed_key) else new_token()),
    )
    if keys.site == keys.feed:
        raise VaultkitError("--token must differ from the site's own secret")
    if (keys.site, keys.feed) != (site_key, feed_key):
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if _ours_alone(path.parent):  # else another user could read them there
                data = json.dumps({"site": keys.site, "feed": keys.feed}) + "\n"
                atomic_write(path, data.encode(), mode=0o600)
        except OSError:
            pass  # kept for this run only: the addresses change at the next start
    return keys


def _ours_alone(folder: Path, file: Path | None = None) -> bool:
    """`folder` (and `file` in it) belong to this user and no other user can write them: else
    another user could have planted secrets they know, and then read the whole site."""
    try:
        found = [os.lstat(folder), *([os.lstat(file)] if file is not None else [])]
    except OSError:
        return False
    kinds = [stat.S_ISDIR(found[0].st_mode), *(stat.S_ISREG(f.st_mode) for f in found[1:])]
    return all(kinds) and all(f.st_uid == os.geteuid() and not f.st_mode & 0o022 for f in found)


# ---------------------------------------------------------------- paths


def split_request_path(raw: str) -> list[str] | None:
    """The path's segments (decoded, each one safe), or None. Rejected: anything but an
    origin-form path, `.`/`..` (encoded or not), encoded `/` or `\\`, NUL, hidden names (`.git`,
    `.vaultkit-manifest.json`), bytes that are not UTF-8. Empty segments (`//`) are dropped."""
    if not raw.startswith("/"):
        return None
    parts = []
    for raw_part in urlsplit(raw).path.split("/")[1:]:
        try:
            part = unquote(raw_part, errors="strict")
        except UnicodeDecodeError:
            return None
        if not part:
            continue
        if part.startswith(".") or "/" in part or "\\" in part or "\0" in part:
            return None
        parts.append(part)
    return parts


def _same(given: str, secret: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode())


def resolve_file(root: Path | None, parts: list[str]) -> Path | None:
    """The file `parts` names under `root` (a folder's index.html), or None: never outside."""
    if root is None:
        return None
    try:
        base = root.resolve(strict=True)
        target = base.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not target.is_relative_to(base):
        return None  # a symlink leading out
    if target.is_dir():
        target = target / "index.html"
        try:
            target = target.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not target.is_relative_to(base):
            return None
    return target if target.is_file() else None


def inject_reload(body: bytes, version: int, events_url: str) -> bytes:
    script = (RELOAD_SCRIPT % (version, json.dumps(events_url))).encode()
    at = body.lower().rfind(b"</body>")
    return body + script if at < 0 else body[:at] + script + body[at:]


class LiveReload:
    """The state the pages listen to: a build counter and the last build's error."""

    def __init__(self) -> None:
        self.version = 0
        self.error: str | None = None
        self.closed = False
        self._cond = threading.Condition()

    def publish(self, error: str | None) -> None:
        with self._cond:
            self.version += 1
            self.error = error
            self._cond.notify_all()

    def state(self) -> tuple[int, str | None]:
        with self._cond:
            return self.version, self.error

    def wait_newer(self, version: int, timeout: float) -> tuple[int, str | None] | None:
        """The state once it is newer than `version`; None on timeout or close."""
        with self._cond:
            self._cond.wait_for(lambda: self.version > version or self.closed, timeout)
            if self.closed or self.version <= version:
                return None
            return self.version, self.error

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


# ---------------------------------------------------------------- the server


class _HeadBudget:
    """The connection's input, allowed MAX_HEAD_BYTES per request head: a client sending more
    is stopped at the limit instead of having the server buffer it."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.left = MAX_HEAD_BYTES

    def readline(self, limit: int = -1) -> bytes:
        if self.left <= 0:
            raise http.client.LineTooLong("request head")
        cap = self.left if limit < 0 else min(limit, self.left)
        line = self.raw.readline(cap)
        self.left -= len(line)
        if self.left <= 0 and not line.endswith(b"\n"):
            raise http.client.LineTooLong("request head")
        return line

    def read(self, size: int = -1) -> bytes:
        return b""  # bodies are never read (the connection is closed after the answer)

    def close(self) -> None:
        self.raw.close()


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        root: Callable[[], Path | None],
        keys: Keys,
        live: LiveReload,
        verbose: bool = False,
        log: Callable[[str], None] | None = None,
        keepalive: float = 15.0,
        detail: Callable[[], str] = lambda: "private",
    ) -> None:
        self.root = root
        self.keys = keys
        self.live = live
        self.verbose = verbose
        self.log = log or (lambda line: print(line, file=sys.stderr))
        self.keepalive = keepalive
        self.detail = detail
        self.loopback_only = is_loopback(address[0])
        self._lock = threading.Lock()
        self._waiting: dict[socket.socket, float] = {}
        """Each open connection -> since when it waits for a request (inf while answering)."""
        self.streams = 0
        self._stop = threading.Event()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SiteHandler)
        threading.Thread(target=self._reap, name="vaultkit-reaper", daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    # -- connections: a cap, and a deadline for each request head

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            if len(self._waiting) >= MAX_CONNECTIONS:
                idle = min(self._waiting, key=self._waiting.__getitem__)
                if self._waiting[idle] == float("inf"):  # all busy answering: no room
                    self.shutdown_request(request)
                    return
                self._drop(idle)
            self._waiting[request] = time.monotonic()
        super().process_request(request, client_address)

    def waiting(self, conn: socket.socket, since: float | None) -> None:
        """`conn` waits for a request since `since` (None: it is being answered)."""
        with self._lock:
            if conn in self._waiting:
                self._waiting[conn] = float("inf") if since is None else since

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._waiting.pop(request, None)
        super().shutdown_request(request)

    def _drop(self, conn: socket.socket) -> None:
        del self._waiting[conn]
        try:
            conn.shutdown(socket.SHUT_RDWR)  # its thread wakes up, sees the end, and closes it
        except OSError:
            pass

    def _reap(self) -> None:
        while not self._stop.wait(0.5):
            deadline = time.monotonic() - HEAD_TIMEOUT
            with self._lock:
                for conn in [c for c, since in self._waiting.items() if since < deadline]:
                    self._drop(conn)

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._waiting)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (or sent nonsense) is not worth a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError | ValueError | http.client.HTTPException):
            return
        self.log(f"vaultkit serve: error answering a request: {type(error).__name__}: {error}")

    def shutdown_all(self) -> None:
        self._stop.set()
        self.live.close()
        self.shutdown()
        self.server_close()


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "vaultkit"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = SEND_TIMEOUT

    def setup(self) -> None:
        super().setup()
        self.rfile = _HeadBudget(self.rfile)  # type: ignore[assignment]

    # ------------------------------------------------------------------------------- logging

    def log_message(self, format: str, *args: object) -> None:  # stdlib names
        if not self.server.verbose:
            return
        line = f"{self.address_string()} - {format % args}"
        for secret in (self.server.keys.site, self.server.keys.feed):
            line = line.replace(secret, "SECRET")
        self.server.log(printable(line))  # a request line may carry terminal escapes

    # ------------------------------------------------------------------------------- requests

    def handle_one_request(self) -> None:
        self.server.waiting(self.connection, time.monotonic())
        self.rfile.left = MAX_HEAD_BYTES  # type: ignore[attr-defined]
        self.close_connection = True
        try:
            self.raw_requestline = self.rfile.readline(MAX_HEAD_BYTES + 1)
        except http.client.LineTooLong:
            self.requestline, self.request_version, self.command = "", "HTTP/1.1", ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        except OSError:
            return
        if not self.raw_requestline:
            return
        if not self.parse_request():  # answers 400/431 itself
            return
        self.server.waiting(self.connection, None)
        if self.headers.get("Content-Length", "0").strip() not in ("", "0") or self.headers.get(
            "Transfer-Encoding"
        ):
            self.close_connection = True  # a body we will not read: no second request after it
        if self.command in ("GET", "HEAD"):
            self._serve(head=self.command == "HEAD")
        else:
            self._simple(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})
        self.wfile.flush()

    # ------------------------------------------------------------------------------- helpers

    def _simple(self, status: HTTPStatus, headers: dict[str, str] | None = None) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _from_this_machine(self) -> bool:
        """A loopback client that names a loopback host: the user's own browser. Not a tunnel
        (its requests name the tunnel's host), not a page that rebound a name to 127.0.0.1."""
        try:
            peer = ipaddress.ip_address(self.client_address[0]).is_loopback
        except ValueError:
            peer = False
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            return False
        name = host_name(hosts[0])
        return peer and name is not None and is_loopback(name)

    def _cross_site(self) -> bool:
        """A request another site's page made (an image, a script, a fetch): never answered."""
        site = self.headers.get("Sec-Fetch-Site", "")
        return site in ("cross-site", "same-site") and self.headers.get("Sec-Fetch-Mode") != (
            "navigate"
        )

    def _route(self) -> tuple[str, list[str]] | None:
        """("site", path) or ("feed", path) for a request a secret opens, else None."""
        parts = split_request_path(self.path)
        if not parts:
            return None
        keys = self.server.keys
        if _same(parts[0], keys.feed):
            return ("feed", parts[1:]) if parts[1:] == [FEED_NAME] else None
        if not _same(parts[0], keys.site) or self._cross_site():
            return None
        if self._from_this_machine():
            return "site", parts[1:]
        if not self.server.loopback_only and self.server.detail() == "full":
            return "site", parts[1:]  # another machine (a phone on the LAN): only at `full`
        return None

    def _serve(self, head: bool) -> None:
        route = self._route()
        if route is None and split_request_path(self.path) == ["favicon.ico"]:
            route = ("site", ["favicon.ico"])  # a browser asks at the root: "no icon" below
        if route is None:
            self._simple(HTTPStatus.NOT_FOUND)
            return
        kind, parts = route
        if kind == "site" and "/".join(parts) == EVENTS_PATH:
            self._events(head)
            return
        target = resolve_file(self.server.root(), parts) if parts != ["favicon.ico"] else None
        if target is None and parts == ["favicon.ico"]:
            # Browsers ask for it on every page; "no icon" is not an error worth logging.
            self.send_response(HTTPStatus.NO_CONTENT)
            self.send_header("Cache-Control", "max-age=3600")
            self.end_headers()
            return
        if target is None:
            self._simple(HTTPStatus.NOT_FOUND)
            return
        url_path = urlsplit(self.path).path
        if (
            target.name == "index.html"
            and parts[-1:] != ["index.html"]
            and not url_path.endswith("/")
        ):
            # A folder without its slash: redirect, so the page's relative links work.
            self._simple(HTTPStatus.MOVED_PERMANENTLY, {"Location": url_path + "/"})
            return
        try:
            with open(target, "rb") as handle:
                stat = os.fstat(handle.fileno())
                body = handle.read()
        except FileNotFoundError:  # replaced between the lookup and the open: gone
            self._simple(HTTPStatus.NOT_FOUND)
            return
        except OSError as exc:  # out of descriptors, memory …: not "missing", try again
            status = HTTPStatus.SERVICE_UNAVAILABLE
            if exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.ELOOP):
                status = HTTPStatus.NOT_FOUND
            self._simple(status, {"Retry-After": "5"})
            return
        ctype = content_type(target)
        if kind == "site" and ctype.startswith("text/html"):
            version, _ = self.server.live.state()
            body = inject_reload(body, version, f"/{self.server.keys.site}/{EVENTS_PATH}")
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
        headers = {
            "ETag": etag,
            "Last-Modified": email.utils.format_datetime(modified, usegmt=True),
            # The site is private: kept by no cache. The feed is revalidated (ETag, 304s).
            "Cache-Control": "no-store" if kind == "site" else "private, no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Resource-Policy": "same-origin",
            "X-Frame-Options": "DENY",
        }
        if self._not_modified(etag, modified):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified(self, etag: str, modified: datetime) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = [t.strip().removeprefix("W/") for t in match.split(",")]
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                when = email.utils.parsedate_to_datetime(since)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                return modified <= when
            except (TypeError, ValueError, OverflowError, IndexError):
                return False  # a date no calendar has: as if there were none
        return False

    def _events(self, head: bool) -> None:
        server = self.server
        with server._lock:
            full = server.streams >= MAX_EVENT_STREAMS
            server.streams += 0 if full else 1
        if full:
            self._simple(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        try:
            self._stream(head)
        finally:
            with server._lock:
                server.streams -= 1

    def _stream(self, head: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if head:
            return
        live = self.server.live
        version, error = live.state()
        try:
            self._event("hello", version, error, retry=True)
            while not live.closed:
                newer = live.wait_newer(version, self.server.keepalive)
                if newer is None:
                    if live.closed:
                        return
                    self.wfile.write(b": keepalive\n\n")
                    self.wfile.flush()
                    continue
                version, error = newer
                self._event("reload", version, error)
        except OSError:
            return  # the page went away

    def _event(self, name: str, version: int, error: str | None, retry: bool = False) -> None:
        data = json.dumps({"version": version, "error": error})
        text = ("retry: 1000\n" if retry else "") + f"event: {name}\ndata: {data}\n\n"
        self.wfile.write(text.encode())
        self.wfile.flush()


def addresses(host: str, port: int, keys: Keys) -> dict[str, str]:
    """The site's address, and the feed's http:// and webcal:// addresses."""
    shown = host
    if host in ("", "0.0.0.0", "::"):
        shown = "127.0.0.1" if host != "::" else "::1"
    if ":" in shown:
        shown = f"[{shown}]"
    return {
        "page": f"http://{shown}:{port}/{keys.site}/",
        "feed": f"http://{shown}:{port}/{keys.feed}/{FEED_NAME}",
        "webcal": f"webcal://{shown}:{port}/{keys.feed}/{FEED_NAME}",
    }


def make_server(
    root: Callable[[], Path | None],
    keys: Keys,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    live: LiveReload | None = None,
    verbose: bool = False,
    log: Callable[[str], None] | None = None,
    detail: Callable[[], str] = lambda: "private",
) -> SiteServer:
    """A server (not yet serving) for the folder `root()`; `detail()` is the vault's current
    `feed.detail`, which says what other machines may read."""
    return SiteServer((host, port), root, keys, live or LiveReload(), verbose, log, detail=detail)


def serve(
    config_loader: ConfigLoader,
    today: date | None,
    out: Path | None,
    echo: Callable[[str], None],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    verbose: bool = False,
    delay: float = 0.05,
    force: bool = False,
) -> None:
    """`vaultkit serve`: watch and rebuild, serve the output folder, until Ctrl-C."""
    if token is not None and not valid_token(token):
        raise VaultkitError("--token must be at least 16 letters, digits, `-` or `_`")
    config = config_loader()
    keys = load_keys(config.vault, token)
    detail = [str(config.get("feed.detail"))]
    live = LiveReload()

    def on_rebuild(rebuild: Rebuild) -> None:
        echo(describe(rebuild))
        try:
            detail[0] = str(config_loader().get("feed.detail"))
        except VaultkitError:
            pass
        if rebuild.number > 1 or not rebuild.ok:
            live.publish(rebuild.error)

    watcher = Watcher(
        config_loader,
        fixed_or_real_today(today),
        out,
        on_rebuild,
        delay,
        force=force,
        now_fn=fixed_or_real_now(today),
    )
    try:
        server = make_server(
            lambda: watcher.out_dir, keys, host, port, live, verbose, echo, lambda: detail[0]
        )
    except OSError as exc:
        raise VaultkitError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    try:
        watcher.start()
    except BaseException:
        server.server_close()
        raise
    thread = threading.Thread(target=server.serve_forever, name="vaultkit-http", daemon=True)
    thread.start()
    where = addresses(host, server.port, keys)
    echo(f"Serving {watcher.out_dir}")
    mine = "this machine only" if is_loopback(host) or detail[0] != "full" else "keep it secret"
    echo(f"Site (for you; {mine}): {where['page']}")
    echo(f"Calendar feed ({detail[0]} detail): {where['feed']}")
    echo(f"Subscribe:     {where['webcal']}")
    echo(f"Watching {watcher.vault}; Ctrl-C stops.")
    run_until_interrupted(watcher, echo, server.shutdown_all)
