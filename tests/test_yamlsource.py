import time

from pipeline.spec.source import parse


def test_lines_for_nested_fields():
    src = parse("a: 1\nb:\n  - x: 2\n    y: 3\n", "f.yaml")
    assert src.line(("b", 0, "y")) == 4
    assert src.line(("b", 0, "missing")) == 3


def test_duplicate_keys_reported_with_line():
    src = parse("title: a\nmodel: grant\ntitle: b\n", "f.yaml")
    assert [(p[0], p[1]) for p in src.problems] == [(("title",), 3)]


def test_amounts_are_decimal_not_float():
    src = parse("total: 1250000.10\n", "f.yaml")
    assert str(src.data["total"]) == "1250000.10"


def test_alias_bomb_stops_fast():
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    started = time.perf_counter()
    src = parse("\n".join(lines), "bomb.yaml")
    assert time.perf_counter() - started < 2
    assert src.data is None and "alias" in src.problems[0][3]


def test_empty_binary_nonmapping_syntax():
    assert "empty" in parse("", "f").problems[0][3]
    assert "binary" in parse(b"\x00\x01PK", "f").problems[0][3]
    assert "mapping" in parse("- a\n- b\n", "f").problems[0][3]
    bad = parse("a: [1, 2\nb: 3\n", "f")
    assert "syntax" in bad.problems[0][3] and bad.problems[0][1] is not None
    assert "one YAML document" in parse("a: 1\n---\nb: 2\n", "f").problems[0][3]
