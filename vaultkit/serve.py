"""`vaultkit serve`: watch the vault and serve the output folder over HTTP (stdlib only).

- GET and HEAD only; explicit Content-Types (`text/calendar; charset=utf-8` for the feed);
  an ETag (a hash of the bytes sent) and Last-Modified on every file, and 304s for
  If-None-Match / If-Modified-Since.
- Only files inside the output folder: `..` (encoded or not), encoded slashes, NUL, hidden
  names and symlinks leading out are 404s; a folder serves its index.html, never a listing.
- Off loopback, every URL starts with a secret token (`/TOKEN/index.html`); anything else is a
  404, and the token never appears in the log. On loopback, the Host header must name loopback
  (a web page cannot reach the server through DNS rebinding).
- HTML responses get a small script that listens on `/_vaultkit/events` (server-sent events)
  and reloads the page after each rebuild, or shows the build error in a banner.
- Each file is read with one `read()` of one open file: outputs are replaced atomically, so a
  client gets the old bytes or the new ones, never a mix.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import ipaddress
import json
import mimetypes
import os
import re
import secrets
import socket
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from vaultkit.problems import VaultkitError
from vaultkit.watch import (
    ConfigLoader,
    Rebuild,
    Watcher,
    describe,
    fixed_or_real_now,
    fixed_or_real_today,
    run_until_interrupted,
)

EVENTS_PATH = "_vaultkit/events"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

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


def needs_token(host: str) -> bool:
    """Listening anywhere but loopback (0.0.0.0, a LAN address, a name) needs a secret token."""
    return not is_loopback(host)


def new_token() -> str:
    return secrets.token_urlsafe(18)


def valid_token(token: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_-]{16,}", token) is not None


def split_request_path(raw: str, token: str | None) -> list[str] | None:
    """The path's segments below the site's root (decoded, each one safe), or None for a 404.

    With a token, the first segment must be the token. Rejected: anything but an origin-form
    path, `.`/`..` (encoded or not), encoded `/` or `\\`, NUL, hidden names (`.git`,
    `.vaultkit-manifest.json`). Empty segments (`//`) are dropped.
    """
    path = urlsplit(raw).path if raw.startswith("/") else None
    if path is None or not path.startswith("/"):
        return None
    raw_parts = path.split("/")[1:]
    if token is not None:
        if not raw_parts or not hmac.compare_digest(raw_parts[0].encode(), token.encode()):
            return None
        raw_parts = raw_parts[1:]
    parts = []
    for raw_part in raw_parts:
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


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        root: Callable[[], Path | None],
        token: str | None,
        live: LiveReload,
        verbose: bool = False,
        log: Callable[[str], None] | None = None,
        keepalive: float = 15.0,
    ) -> None:
        self.root = root
        self.token = token
        self.live = live
        self.verbose = verbose
        self.log = log or (lambda line: print(line, file=sys.stderr))
        self.keepalive = keepalive
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SiteHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def shutdown_all(self) -> None:
        self.live.close()
        self.shutdown()
        self.server_close()


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "vaultkit"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # ------------------------------------------------------------------------------- logging

    def log_message(self, format: str, *args: object) -> None:  # stdlib names
        if not self.server.verbose:
            return
        line = f"{self.address_string()} - {format % args}"
        if self.server.token:
            line = line.replace(self.server.token, "TOKEN")
        self.server.log(line)

    # ------------------------------------------------------------------------------- methods

    def do_GET(self) -> None:  # stdlib name
        self._serve(head=False)

    def do_HEAD(self) -> None:  # stdlib name
        self._serve(head=True)

    def _not_allowed(self) -> None:
        self._simple(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed

    # ------------------------------------------------------------------------------- helpers

    def _simple(
        self, status: HTTPStatus, headers: dict[str, str] | None = None, head: bool = False
    ) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and self.command != "HEAD":
            self.wfile.write(body)

    def _host_ok(self) -> bool:
        if self.server.token is not None:
            return True
        host = (self.headers.get("Host") or "").strip()
        if not host:
            return True  # HTTP/1.0 clients
        if host.startswith("["):
            name = host[1 : host.find("]")] if "]" in host else ""
        else:
            name = host.rsplit(":", 1)[0]
        return is_loopback(name)

    def _prefix(self) -> str:
        return f"/{self.server.token}/" if self.server.token else "/"

    def _serve(self, head: bool) -> None:
        parts = split_request_path(self.path, self.server.token)
        if parts is None or not self._host_ok():
            self._simple(HTTPStatus.NOT_FOUND, head=head)
            return
        if "/".join(parts) == EVENTS_PATH:
            self._events(head)
            return
        target = resolve_file(self.server.root(), parts)
        if target is None and parts == ["favicon.ico"]:
            # Browsers ask for it on every page; "no icon" is not an error worth logging.
            self.send_response(HTTPStatus.NO_CONTENT)
            self.send_header("Cache-Control", "max-age=3600")
            self.end_headers()
            return
        if target is None:
            self._simple(HTTPStatus.NOT_FOUND, head=head)
            return
        url_path = urlsplit(self.path).path
        if (
            target.name == "index.html"
            and parts[-1:] != ["index.html"]
            and not url_path.endswith("/")
        ):
            # A folder without its slash: redirect, so the page's relative links work.
            self._simple(HTTPStatus.MOVED_PERMANENTLY, {"Location": url_path + "/"}, head)
            return
        try:
            with open(target, "rb") as handle:
                stat = os.fstat(handle.fileno())
                body = handle.read()
        except OSError:
            self._simple(HTTPStatus.NOT_FOUND, head=head)
            return
        ctype = content_type(target)
        if ctype.startswith("text/html"):
            version, _ = self.server.live.state()
            body = inject_reload(body, version, self._prefix() + EVENTS_PATH)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
        headers = {
            "ETag": etag,
            "Last-Modified": email.utils.format_datetime(modified, usegmt=True),
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
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
            except (TypeError, ValueError):
                return False
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return modified <= when
        return False

    def _events(self, head: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
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


def addresses(host: str, port: int, token: str | None) -> dict[str, str]:
    """The page address and the feed's http:// and webcal:// addresses."""
    shown = host
    if host in ("", "0.0.0.0", "::"):
        shown = "127.0.0.1" if host != "::" else "::1"
    if ":" in shown:
        shown = f"[{shown}]"
    prefix = f"/{token}/" if token else "/"
    base = f"{shown}:{port}{prefix}"
    return {
        "page": f"http://{base}",
        "feed": f"http://{base}followups.ics",
        "webcal": f"webcal://{base}followups.ics",
    }


def make_server(
    root: Callable[[], Path | None],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    live: LiveReload | None = None,
    verbose: bool = False,
    log: Callable[[str], None] | None = None,
) -> SiteServer:
    """A server (not yet serving) for the folder `root()`. Off loopback, `token` is required."""
    if needs_token(host) and not token:
        raise ValueError("listening beyond loopback needs a token")
    return SiteServer((host, port), root, token, live or LiveReload(), verbose, log)


def serve(
    config_loader: ConfigLoader,
    today: date | None,
    out: Path | None,
    echo: Callable[[str], None],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    verbose: bool = False,
    delay: float = 0.3,
) -> None:
    """`vaultkit serve`: watch and rebuild, serve the output folder, until Ctrl-C."""
    generated = False
    if token is not None and not valid_token(token):
        raise VaultkitError("--token must be at least 16 letters, digits, `-` or `_`")
    if needs_token(host) and not token:
        token, generated = new_token(), True
    elif not needs_token(host):
        token = token or None
    live = LiveReload()

    def on_rebuild(rebuild: Rebuild) -> None:
        echo(describe(rebuild))
        if rebuild.number > 1 or not rebuild.ok:
            live.publish(rebuild.error)

    watcher = Watcher(
        config_loader,
        fixed_or_real_today(today),
        out,
        on_rebuild,
        delay,
        now_fn=fixed_or_real_now(today),
    )
    try:
        server = make_server(lambda: watcher.out_dir, host, port, token, live, verbose, echo)
    except OSError as exc:
        raise VaultkitError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    try:
        watcher.start()
    except BaseException:
        server.server_close()
        raise
    thread = threading.Thread(target=server.serve_forever, name="vaultkit-http", daemon=True)
    thread.start()
    where = addresses(host, server.port, token)
    if generated:
        echo(
            "Listening beyond loopback: every address starts with this secret token "
            "(pass --token to choose it):"
        )
    echo(f"Serving {watcher.out_dir} at {where['page']}")
    echo(f"Calendar feed: {where['feed']}")
    echo(f"Subscribe:     {where['webcal']}")
    echo(f"Watching {watcher.vault}; Ctrl-C stops.")
    run_until_interrupted(watcher, echo, server.shutdown_all)
