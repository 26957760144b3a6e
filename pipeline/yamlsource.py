"""YAML to plain data with a line for every field path; duplicate keys, aliases and odd files become problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is in the PyYAML wheels
    _Loader = yaml.SafeLoader

MAX_BYTES = 2_000_000
MAX_NODES = 200_000  # nodes after expanding aliases: a "billion laughs" file stops here, early
_BOOL = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}

Path_ = tuple  # a field path: ("instalments", 1, "due")


@dataclass
class Source:
    """What a YAML file says, with where it says it."""

    name: str
    data: object
    lines: dict = field(default_factory=dict)  # path tuple -> 1-based line
    problems: list = field(default_factory=list)  # (path, line, th, en)

    def line(self, path) -> int | None:
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def dotted(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _TooBig(Exception):
    pass


def parse(text: str | bytes, name: str) -> Source:
    """Parse one YAML document into plain Python data (str, int, Decimal, bool, None, list, dict)."""
    src = Source(name, None)
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            src.problems.append(((), None, f"ไฟล์ใหญ่เกินไป (เกิน {MAX_BYTES:,} ไบต์)", f"file is too large (over {MAX_BYTES:,} bytes)"))
            return src
        if b"\x00" in text:
            src.problems.append(((), None, "ไฟล์นี้ไม่ใช่ข้อความ (เป็นไฟล์ไบนารี)", "this is a binary file, not a YAML text"))
            return src
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            src.problems.append(((), None, "ไฟล์ต้องเข้ารหัสแบบ UTF-8", f"the file is not UTF-8 ({exc.reason} at byte {exc.start})"))
            return src
    if not text.strip():
        src.problems.append(((), 1, "ไฟล์ว่างเปล่า", "the file is empty"))
        return src
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
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
        src.problems.append(((), nodes[1].start_mark.line + 1, "ไฟล์ต้องมีเอกสาร YAML เพียงชุดเดียว", "the file must hold one YAML document, not several"))
        return src
    root = nodes[0]
    if not isinstance(root, yaml.MappingNode):
        src.problems.append(((), root.start_mark.line + 1, "ไฟล์ต้องเป็นชุดคีย์และค่า (mapping) ที่ระดับบนสุด", "the top level must be a mapping of keys to values"))
        return src
    counter = [0]
    try:
        src.data = _build(root, (), src, counter)
    except _TooBig:
        src.data = None
        src.problems.append(((), None, "ไฟล์ขยายตัวเกินขนาดที่รับได้ (alias/anchor ซ้อนกันมากเกินไป)", f"the file expands to more than {MAX_NODES:,} values (too many nested aliases)"))
    return src


def _build(node, path, src: Source, counter):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _TooBig
    src.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                src.problems.append((path, key_node.start_mark.line + 1, "คีย์ต้องเป็นข้อความ", "a key must be a plain text"))
                continue
            key = key_node.value
            if key in out:
                src.problems.append((path + (key,), key_node.start_mark.line + 1, f"คีย์ '{key}' ซ้ำ", f"duplicate key '{key}'"))
                continue
            src.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), src, counter)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), src, counter) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node):
    tag, value = node.tag, node.value
    if node.style in ("'", '"', "|", ">"):
        return value
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return _BOOL.get(value.lower(), value)
    if tag.endswith(":int"):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag.endswith(":float"):
        try:
            d = Decimal(value.replace("_", ""))
            return d if d.is_finite() else value
        except InvalidOperation:
            return value
    return value  # str and timestamp (dates stay text; the typed model parses and checks them)
