"""An iCalendar file (RFC 5545) of all-day events, which calendar programs import: CRLF line ends, lines folded at
75 octets without splitting a UTF-8 character, text escaped. A UID fixed by the caller lets a re-import move an
event (with a higher SEQUENCE) instead of adding a second one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.spec.source import plain_text


@dataclass(frozen=True)
class Event:
    uid: str
    day: dt.date
    summary: str
    description: str
    sequence: int = 0
    categories: str = ""


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped; every line end (CR LF, a bare CR, a
    bare LF, the Unicode line and paragraph separators) the two characters \\n; other control characters removed,
    so no value can start a property or an event of its own."""
    text = plain_text(text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded into pieces of at most 75 octets, each continuation starting with a space."""
    out: list[str] = []
    piece, size = "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > (75 if not out else 74):
            out.append(piece)
            piece, size = "", 0
        piece += ch
        size += width
    out.append(piece)
    return "\r\n ".join(out)


def calendar(events: list[Event], name: str, now: dt.datetime | None = None) -> bytes:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mou-pipeline//obligations//TH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{e.sequence}",
            f"DTSTART;VALUE=DATE:{e.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{e.day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape(e.summary)}",
            f"DESCRIPTION:{escape(e.description)}",
            *([f"CATEGORIES:{escape(e.categories)}"] if e.categories else []),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
