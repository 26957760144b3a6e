"""The one exception base the CLI catches, and the problem record every spec error carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

# What a terminal would act on rather than show: C0 and C1 controls (ESC starts colour, title and hyperlink
# sequences), DEL, and the bidirectional overrides. New line and tab stay as they are.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text as a terminal should show it: every control character written out (ESC as \\x1b), never acted on."""
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


class Message(NamedTuple):
    """A sentence in Thai and English — every bilingual text the tool says is one (a problem, a rule's finding, a
    question's check, an error). Shown in one language where a page has one (`in_`), or both, laid out here and only
    here (`str`): "th / en" on one line, each on its own line when either already spans lines. A tuple still: `th, en
    = message` reads it."""

    th: str
    en: str

    def in_(self, lang: str) -> str:
        return self.th if lang == "th" else self.en

    def __str__(self) -> str:
        return f"{self.th}\n{self.en}" if "\n" in self.th or "\n" in self.en else f"{self.th} / {self.en}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located and explained in Thai and English."""

    file: str
    line: int | None
    field: str
    th: str
    en: str
    rule: str = ""  # the rule of SPEC §2 that found it ("dates.check"), empty for a type or YAML problem

    @property
    def message(self) -> Message:
        return Message(self.th, self.en)

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class MouError(Exception):
    """Base of every failure a user can cause or meet; the CLI prints it without a traceback."""

    exit_code = 1

    def __init__(self, message: str | Message, problems: list[Problem] | None = None):
        super().__init__(str(message))
        self.problems = list(problems or [])

    def format(self) -> str:
        lines = [str(self)]
        lines += [f"  - {p.format()}" for p in self.problems]
        return "\n".join(lines)


class SpecError(MouError):
    """A spec (or settings or clause file) failed one or more rules; carries every problem found."""

    def __init__(self, problems: list[Problem], what: str = "spec"):
        n = len(problems)
        super().__init__(
            f"พบข้อผิดพลาด {n} รายการ / {n} problem{'s' if n != 1 else ''} found in the {what}",
            problems,
        )


class LibraryError(MouError):
    """The clause library or a template is broken (a legal officer's edit, not the user's spec)."""


class ConvertError(MouError):
    """LibreOffice failed, hung or is missing."""


class DocumentError(MouError):
    """A rendered document lacks required sections or cannot be read."""


class Interrupted(MouError):
    """Ctrl-C during a run that keeps what it finished (exit 130, as a shell reports SIGINT)."""

    exit_code = 130
