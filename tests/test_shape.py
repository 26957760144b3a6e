"""The shape of the package (ARCHITECTURE.md): imports point one way, no cycle, no front end reaching into another's
private names, and modules and functions small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"

# Lower layers never import higher ones. A package may import any lower layer (render's Thai formatting is for
# everyone), but the front ends reach the documents and the rules only through the public functions of api.py.
LAYERS = {
    "errors": 0,
    "__init__": 0,
    "values": 0,
    "spec": 1,
    "library": 2,
    "store": 2,
    "render": 3,
    "rules": 4,
    "documents": 5,
    "signing": 5,
    "api": 6,
    "questionnaire": 6,
    "run": 7,
    "cli": 8,
    "web": 8,
}
FRONT_ENDS = {"cli", "web"}
ALLOWED_SIDEWAYS = {("cli", "web")}  # `mou serve` starts the browser's app


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield path, ["pipeline", *parts], is_package


def _imports(path: Path, name: list[str], is_package: bool):
    """(imported module, imported names, line) for every import of the pipeline package in a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_package else name[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "pipeline":
                yield target, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "pipeline":
                    yield alias.name, [], node.lineno


def _area(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_package_has_a_layer():
    areas = {_area(".".join(name)) for _, name, _ in _modules()}
    assert areas <= set(LAYERS), areas - set(LAYERS)


def test_imports_point_down_and_front_ends_use_the_public_functions():
    wrong = []
    for path, name, is_package in _modules():
        here = _area(".".join(name))
        for target, names, line in _imports(path, name, is_package):
            there = _area(target)
            where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
            if there == here:
                continue
            if LAYERS[there] > LAYERS[here] or (
                LAYERS[there] == LAYERS[here] and (here, there) not in ALLOWED_SIDEWAYS
            ):
                wrong.append(f"{where}: {here} (layer {LAYERS[here]}) may not import {there} (layer {LAYERS[there]})")
            if here in FRONT_ENDS and there in ("documents", "rules", "signing"):
                wrong.append(f"{where}: a front end reaches {there} through pipeline.api")
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            if private:
                wrong.append(f"{where}: private names {private} of another package")
            writers = {"write_atomically", "remove_stale_temps", "render_docx", "Converter"}
            if here == "documents" and writers & set(names):  # reading a file back (its properties) is allowed
                wrong.append(f"{where}: documents/ assembles; the one writer is api._write")
            if here == "rules" and there == "render":  # the rules compute with pipeline/values.py, never the renderer
                wrong.append(f"{where}: the rules never import the renderer (pipeline.values has what they use)")
            if here == "web" and target == "pipeline.questionnaire.terminal":
                wrong.append(f"{where}: the browser never builds the terminal's questionnaire")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle_between_modules():
    """Module-level imports only (an import inside a function runs later and cannot deadlock the loading)."""
    graph: dict[str, set[str]] = {}
    known = {".".join(name) for _, name, _ in _modules()}
    for path, name, is_package in _modules():
        me = ".".join(name)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        graph[me] = set()
        for target, names, line in _imports(path, name, is_package):
            if not any(n.lineno == line for n in top):
                continue
            for candidate in [target] + [f"{target}.{n}" for n in names]:
                if candidate in known and candidate != me:
                    graph[me].add(candidate)
    # a package's __init__ importing its own modules is how a package is made, not a cycle
    for me in graph:
        graph[me] = {t for t in graph[me] if not me.startswith(t + ".")}
    state: dict[str, int] = {}
    cycles = []

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles


def test_modules_and_functions_stay_small():
    """No module over 500 lines, no function over 80 (issue 33; ruff's C901 keeps each under a complexity of 12)."""
    big = []
    for path, _, _ in _modules():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > 500:
            big.append(f"{path.relative_to(PACKAGE.parent)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    big.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {length} lines")
    assert not big, "\n".join(big)


def test_the_sla_rule_is_one_function_read_by_the_rules_and_the_questions():
    """The questionnaire asks the SLA exactly when the rules require one (performance) or allow one (commissioning)."""
    import datetime as dt
    from decimal import Decimal

    from pipeline.questionnaire.questions import QUESTIONS
    from pipeline.rules.facts import sla_rule
    from pipeline.spec.settings import Settings

    settings = Settings()
    remedy = next(q for q in QUESTIONS if q.path == "sla.remedy")
    start = dt.date(2025, 1, 1)
    for model in ("grant", "performance", "commissioning"):
        for months in (6, 11, 12, 24):
            end = dt.date(start.year + (months // 12), start.month + months % 12, 1) - dt.timedelta(days=1)
            for total in (Decimal(44_999), Decimal(45_000), Decimal(2_000_000)):
                answers = {"model": model, "term": {"start": start, "end": end}, "budget": {"total": total}}
                rule = sla_rule(model, start, end, total, settings)
                assert remedy.when(answers, settings) == (rule is not None), (model, months, total)
                if model == "performance" and months >= 12 and total >= 45_000:
                    assert rule == "required"
                if model == "grant":
                    assert rule is None
