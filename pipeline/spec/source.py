"""YAML to plain data with a line for every field path; duplicate keys, aliases and odd files become problems."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is in the PyYAML wheels
    _Loader = yaml.SafeLoader

MAX_BYTES = 2_000_000
MAX_NODES = 200_000  # nodes after expanding aliases: a "billion laughs" file stops here, early
# A spec nests 6 levels at most. libyaml's composer recurses in C, so a file nested thousands deep ("x: [[[[…") would
# crash the process: the depth is measured on the parser's flat event stream first, and the composed tree (aliases
# expanded) is held to the same limit.
MAX_DEPTH = 40
MAX_NUMBER_DIGITS = 18  # a plain number longer than this is a typo or an identifier, never an amount (put it in quotes)
_BOOL = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


@dataclass
class Source:
    """What a YAML file says, with where it says it."""

    name: str
    data: object
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)  # path tuple -> 1-based line
    problems: list[tuple[tuple[str | int, ...], int | None, str, str]] = field(
        default_factory=list
    )  # (path, line, th, en)

    def line(self, path: Iterable[str | int]) -> int | None:
        at = tuple(path)
        while at:
            if at in self.lines:
                return self.lines[at]
            at = at[:-1]
        return self.lines.get((), 1)


def dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _TooBig(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, line: int, th: str, en: str):
        super().__init__(en)
        self.line, self.th, self.en = line, th, en


def _deep(line: int) -> _TooDeep:
    return _TooDeep(line, f"ข้อมูลซ้อนกันลึกเกิน {MAX_DEPTH} ชั้น", f"the data is nested more than {MAX_DEPTH} levels deep")


def _check_depth(text: str) -> None:
    """Raise _TooDeep at the first collection nested deeper than MAX_DEPTH, reading libyaml's events (no recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _deep(event.start_mark.line + 1 if event.start_mark else 0)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _decoded(raw: bytes, src: Source) -> str | None:
    """The file's text, or None with the problem said: too large, binary, not UTF-8."""
    if len(raw) > MAX_BYTES:
        src.problems.append(
            ((), None, f"ไฟล์ใหญ่เกินไป (เกิน {MAX_BYTES:,} ไบต์)", f"file is too large (over {MAX_BYTES:,} bytes)")
        )
        return None
    if b"\x00" in raw:
        src.problems.append(((), None, "ไฟล์นี้ไม่ใช่ข้อความ (เป็นไฟล์ไบนารี)", "this is a binary file, not a YAML text"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        src.problems.append(
            ((), None, "ไฟล์ต้องเข้ารหัสแบบ UTF-8", f"the file is not UTF-8 ({exc.reason} at byte {exc.start})")
        )
        return None


def parse(text: str | bytes, name: str) -> Source:
    """Parse one YAML document into plain Python data (str, int, Decimal, bool, None, list, dict)."""
    src = Source(name, None)
    if isinstance(text, bytes):
        decoded = _decoded(text, src)
        if decoded is None:
            return src
        text = decoded
    if not text.strip():
        src.problems.append(((), 1, "ไฟล์ว่างเปล่า", "the file is empty"))
        return src
    try:
        _check_depth(text)
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except _TooDeep as exc:
        src.problems.append(((), exc.line, exc.th, exc.en))
        return src
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc)
        src.problems.append(((), line, f"รูปแบบ YAML ไม่ถูกต้อง: {what}", f"YAML syntax error: {what}"))
        return src
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        src.problems.append(((), 1, "ไฟล์ไม่มีข้อมูล", "the file holds no data"))
        return src
    if len(nodes) > 1:
        src.problems.append(
            (
                (),
                nodes[1].start_mark.line + 1,
                "ไฟล์ต้องมีเอกสาร YAML เพียงชุดเดียว",
                "the file must hold one YAML document, not several",
            )
        )
        return src
    root = nodes[0]
    if not isinstance(root, yaml.MappingNode):
        src.problems.append(
            (
                (),
                root.start_mark.line + 1,
                "ไฟล์ต้องเป็นชุดคีย์และค่า (mapping) ที่ระดับบนสุด",
                "the top level must be a mapping of keys to values",
            )
        )
        return src
    counter = [0]
    try:
        src.data = _build(root, (), src, counter, ())
    except _TooDeep as exc:
        src.data = None
        src.problems.append(((), exc.line, exc.th, exc.en))
    except _TooBig:
        src.data = None
        src.problems.append(
            (
                (),
                None,
                "ไฟล์ขยายตัวเกินขนาดที่รับได้ (alias/anchor ซ้อนกันมากเกินไป)",
                f"the file expands to more than {MAX_NODES:,} values (too many nested aliases)",
            )
        )
    return src


def _build(
    node: yaml.Node, path: tuple[str | int, ...], src: Source, counter: list[int], within: tuple[yaml.Node, ...]
) -> object:
    """Plain data of a node; `within` holds the collections it lies in (an alias can make a node its own member)."""
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _TooBig
    line = node.start_mark.line + 1
    src.lines.setdefault(path, line)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if any(node is outer for outer in within):
            raise _TooDeep(
                line,
                "alias อ้างถึงค่าที่มีตัวเองอยู่ข้างใน (วนไม่รู้จบ)",
                "an alias refers to a value that contains it (an endless loop)",
            )
        if len(within) >= MAX_DEPTH:
            raise _deep(line)
        within = within + (node,)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                src.problems.append(
                    (path, key_node.start_mark.line + 1, "คีย์ต้องเป็นข้อความ", "a key must be a plain text")
                )
                continue
            key = key_node.value
            _check_text(key, path + (key,), key_node.start_mark.line + 1, src)
            if key in out:
                src.problems.append(
                    (path + (key,), key_node.start_mark.line + 1, f"คีย์ '{key}' ซ้ำ", f"duplicate key '{key}'")
                )
                continue
            src.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), src, counter, within)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), src, counter, within) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)  # a YAML node is a mapping, a sequence or a scalar
    value = _scalar(node)
    if isinstance(value, str):
        _check_text(value, path, line, src)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and _too_long(value, node.value):
        src.problems.append(
            (
                path,
                line,
                f"ตัวเลข {node.value[:30]}… ยาวเกิน {MAX_NUMBER_DIGITS} หลัก (ถ้าไม่ใช่จำนวนเงินหรือตัวเลข ให้ใส่ในเครื่องหมายคำพูด)",
                f"the number {node.value[:30]}… is longer than {MAX_NUMBER_DIGITS} digits (if it is not an amount, put it in quotes)",
            )
        )
        return node.value[:100]  # what the model sees: a short text, so the problem is told once, here
    return value


def plain_text(text: str) -> str:
    """Typed text as a document, a YAML file and a calendar can hold it: every line end (CR LF, a bare CR, the Unicode
    line and paragraph separators) a newline, a tab a space, other control characters (NUL, C1) removed. The
    questionnaire cleans what users type with it, the calendar file what it writes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _TYPED_CONTROL.sub("", text.replace("\t", " "))


_TYPED_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# Characters no document can hold (XML 1.0 refuses C0 controls and U+FFFE/U+FFFF; C1 controls, DEL and lone
# surrogates are invisible garbage from a copy-paste) and the bidirectional overrides, which make a text display
# otherwise than it reads. Tab and new line stay; so does the zero-width space Thai text uses to mark word breaks.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def _check_text(text: str, path: tuple[str | int, ...], line: int, src: Source) -> None:
    found = _UNPRINTABLE.search(text)
    if found:
        code, at = f"U+{ord(found.group()):04X}", found.start() + 1
        src.problems.append(
            (
                path,
                line,
                f"มีอักขระควบคุมที่มองไม่เห็น ({code}) ที่ตำแหน่ง {at} ซึ่งใส่ในเอกสารไม่ได้ ให้ลบออก",
                f"holds an invisible control character ({code}) at character {at}, which a document cannot hold: remove it",
            )
        )


def _too_long(value: int | Decimal, text: str) -> bool:
    """A plain number too large for an amount, or so long Python itself refuses it (1e30, 1E+999999999, 5,000 digits)."""
    if len(text) > 4 * MAX_NUMBER_DIGITS:
        return True
    if isinstance(value, int):
        return bool(abs(value) >= 10**MAX_NUMBER_DIGITS)
    return bool(value.is_finite() and value != 0 and value.adjusted() >= MAX_NUMBER_DIGITS)


def _scalar(node: yaml.ScalarNode) -> object:
    tag, value = node.tag, node.value
    if node.style in ("'", '"', "|", ">"):
        return value
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return _BOOL.get(value.lower(), value)
    if tag.endswith(":int"):
        if len(value) > 4 * MAX_NUMBER_DIGITS:
            return 0  # reported as too long by the caller; int() of thousands of digits is refused by Python itself
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag.endswith(":float"):
        if len(value) > 4 * MAX_NUMBER_DIGITS:
            return Decimal(0)  # reported as too long by the caller
        try:
            d = Decimal(value.replace("_", ""))
            return d if d.is_finite() else value
        except InvalidOperation:
            return value
    return value  # str and timestamp (dates stay text; the typed model parses and checks them)
