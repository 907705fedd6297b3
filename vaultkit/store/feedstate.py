"""Each feed event's SEQUENCE and LAST-MODIFIED: they advance exactly when its content changes.

Google and Exchange are reported to apply a changed event only when these advance, so an event
that moved must say so; one that did not must keep its stamps, or an unchanged vault would not
give a byte-identical feed. What an event "is" is its serialised bytes without the three stamp
lines (DTSTAMP, SEQUENCE, LAST-MODIFIED); its digest is all the state needs.

The state is the last feed written, remembered in the vault as `.vaultkit/feed-state.json`
(never in a note, not a cache, and synced with the vault), plus the events that left it, so
that one coming back (a follow-up reopened) carries on from its last SEQUENCE. Before each
build the state is also checked against the feed already published in the output folder, and
the higher SEQUENCE of the two wins: losing either one never makes SEQUENCE go backwards.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from vaultkit.store.files import read_file
from vaultkit.store.state import MAX_STATE_BYTES, read_json, write_json

STATE_FILE = "feed-state.json"
VERSION = 1
GONE_DAYS = 400
"""How long an event that left the feed is remembered."""
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
STAMP_LINES = (b"DTSTAMP:", b"SEQUENCE:", b"LAST-MODIFIED:")
_COMPONENT = re.compile(rb"BEGIN:(VEVENT|VTODO)\r\n(.*?)END:\1\r\n", re.S)


class Known(NamedTuple):
    """What the last feed said of one event."""

    digest: str
    sequence: int
    modified: datetime


class Stamp(NamedTuple):
    sequence: int
    modified: datetime


def digest(body: bytes) -> str:
    """The identity of an event's content: its bytes without the stamp lines."""
    kept = b"".join(
        line for line in body.splitlines(keepends=True) if not line.startswith(STAMP_LINES)
    )
    return hashlib.sha256(kept).hexdigest()[:20]


def _stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def read_feed(data: bytes) -> dict[str, Known]:
    """Each event of a feed vaultkit wrote, by UID (lines are never folded for these short
    properties). Anything unreadable is left out."""
    found: dict[str, Known] = {}
    for m in _COMPONENT.finditer(data):
        body = m.group(0)
        fields = {}
        for line in m.group(2).split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name in (b"UID", b"SEQUENCE", b"LAST-MODIFIED") and name not in fields:
                fields[name] = value.decode("ascii", "replace")
        modified = _stamp(fields.get(b"LAST-MODIFIED", ""))
        sequence = fields.get(b"SEQUENCE", "")
        if b"UID" in fields and modified is not None and sequence.isdigit():
            found[fields[b"UID"]] = Known(digest(body), int(sequence), modified)
    return found


def _from_json(state: Any) -> tuple[dict[str, Known], dict[str, datetime]]:
    """(events in the last feed, events that left it -> since when) from the stored state."""
    known: dict[str, Known] = {}
    gone: dict[str, datetime] = {}
    if not isinstance(state, dict) or state.get("version") != VERSION:
        return known, gone
    events = state.get("events")
    if not isinstance(events, dict):
        return known, gone
    for uid, row in events.items():
        if not (isinstance(row, list) and len(row) == 4 and isinstance(row[1], int)):
            continue
        modified = _stamp(str(row[2]))
        if modified is None or not isinstance(row[0], str) or row[1] < 0:
            continue
        known[uid] = Known(row[0], row[1], modified)
        if isinstance(row[3], str) and (since := _stamp(row[3])) is not None:
            gone[uid] = since
    return known, gone


def load(vault: Path, published: Path | None) -> dict[str, Known]:
    """What subscribers were last told of each event: the stored state, raised to the feed
    published at `published` where that says more (a lost or stale state file)."""
    return load_state(vault, published)[0]


def load_state(vault: Path, published: Path | None) -> tuple[dict[str, Known], dict[str, datetime]]:
    """`load`'s answer, and the events that left the feed (since when): the whole state, for
    the live engine to keep in memory between feeds (see `remember`)."""
    known, gone = _from_json(read_json(vault, STATE_FILE))
    if published is not None:
        try:
            data = read_file(published)
        except OSError:
            data = b""
        if len(data) <= MAX_STATE_BYTES:
            for uid, entry in read_feed(data).items():
                if uid not in known or entry.sequence > known[uid].sequence:
                    known[uid] = entry
    return known, gone


def advance(known: Mapping[str, Known], digests: dict[str, str], now: datetime) -> dict[str, Stamp]:
    """Each event's stamps: kept while its digest is the one subscribers saw; else SEQUENCE
    one higher and LAST-MODIFIED `now` (and always later than the last one). A new event
    starts at 0."""
    now = now.astimezone(UTC).replace(microsecond=0)
    stamps = {}
    for uid, current in digests.items():
        before = known.get(uid)
        if before is None:
            stamps[uid] = Stamp(0, now)
        elif before.digest == current:
            stamps[uid] = Stamp(before.sequence, before.modified)
        else:
            later = max(now, before.modified + timedelta(seconds=1))
            stamps[uid] = Stamp(before.sequence + 1, later)
    return stamps


def save(vault: Path, feed: bytes, now: datetime) -> bool:
    """Remember `feed` (just written) as what subscribers now see, and keep, for GONE_DAYS,
    the events that left it. Best effort: False when the vault cannot be written."""
    old = read_json(vault, STATE_FILE)
    state = to_json(*remember(*_from_json(old), read_feed(feed), now))
    if state == old:
        return True
    return write_json(vault, STATE_FILE, state)


def remember(
    known: dict[str, Known], gone: dict[str, datetime], current: dict[str, Known], now: datetime
) -> tuple[dict[str, Known], dict[str, datetime]]:
    """The state once a feed of the `current` events is written: those, and the `known` ones
    that left it (since when; forgotten after GONE_DAYS)."""
    now = now.astimezone(UTC).replace(microsecond=0)
    new_known = dict(current)
    new_gone: dict[str, datetime] = {}
    for uid, k in known.items():
        if uid in current:
            continue
        since = gone.get(uid, now)
        if now - since <= timedelta(days=GONE_DAYS):
            new_known[uid] = k
            new_gone[uid] = since
    return new_known, new_gone


def to_json(known: dict[str, Known], gone: dict[str, datetime]) -> dict[str, Any]:
    """The state as `.vaultkit/feed-state.json` holds it."""
    texts: dict[datetime, str] = {}  # most events share a few moments: format each once

    def text(moment: datetime) -> str:
        found = texts.get(moment)
        if found is None:
            found = texts[moment] = moment.strftime(STAMP_FORMAT)
        return found

    events = {
        uid: [k.digest, k.sequence, text(k.modified), text(gone[uid]) if uid in gone else None]
        for uid, k in known.items()
    }
    return {"version": VERSION, "events": dict(sorted(events.items()))}
