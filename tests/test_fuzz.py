"""Property-based fuzzing (issue 9): whatever a spec or an answers file holds, mou answers with located problems or
with an agreement, never with a traceback, and a failure leaves nothing in the output folder.

The properties run in-process, through the real command line (click), so an exception that escapes is a failure
here and a segmentation fault kills the run. `make test` runs a short pass (900 cases); `make fuzz` runs the
same properties FUZZ_SCALE times longer (25 by default: 22,500 cases) and prints hypothesis's statistics.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.cli.commands import cli
from pipeline.questionnaire.answers import plain_data
from pipeline.spec.source import parse

from conftest import EXAMPLE_FILES

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
TEXTS = {f.stem: f.read_text(encoding="utf-8") for f in EXAMPLE_FILES}
DATA = {stem: yaml.safe_load(text) for stem, text in TEXTS.items()}


def fuzz_settings(examples: int):
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=SCALE == 1,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
    )


# -- what a mutated spec may hold --------------------------------------------------------------------------------------

NASTY_TEXT = [
    "",
    " ",
    "\t",
    "{{ 7*7 }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "<w:p>",
    "</w:t>&amp;",
    "\x1b]0;x\x07",
    "\x1b[31m",
    "\u202e",
    "\x00",
    "\x0b",
    "\ufffe",
    "\ud800",
    "ก" * 400,
    "x" * 5000,
    "๑๒๓",
    "2568-03-01",
    "22/4/2567",
    "1 มี.ค. 2568",
    "1e30",
    "1E+999999999",
    "NaN",
    "-inf",
    "0x10",
    "0o17",
    "  trailing  ",
    "a\nb\n\nc",
    "- item",
    "+ sub",
    "ภาคผนวก ก",
    "ข้อ ๕",
    "~",
    "*",
    "&a",
    "!!python/object:os.system",
    "midterm 99",
    "yearly 0",
    "final",
    "signing",
    "grant",
    "performance",
    "commissioning",
    "th",
    "en",
    "delegator",
    "partner",
    "supporters",
    "state_budget",
    "quarterly",
    "once",
]
NASTY_NUMBERS = [
    0,
    -1,
    1,
    2,
    99,
    100,
    101,
    2568,
    2025,
    10**15,
    10**15 + 1,
    10**18,
    10**30,
    -(10**20),
    0.5,
    33.333,
    1e-9,
    1e30,
    123456789012345678901234567890,
]
NASTY_DATES = [
    dt.date(1900, 1, 1),
    dt.date(1957, 1, 1),
    dt.date(2024, 2, 29),
    dt.date(2200, 12, 31),
    dt.date(9999, 12, 31),
    dt.date(2568, 3, 1),
    dt.date(68, 3, 1),
    dt.date(2024, 4, 22),
    dt.date(2025, 9, 30),
    dt.date(2030, 1, 1),
]


def deep(n: int):
    value = 1
    for _ in range(n):
        value = [value]
    return value


leaf = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.sampled_from(NASTY_NUMBERS),
    st.sampled_from(NASTY_DATES),
    st.sampled_from([None, True, False, [], {}, [None], {"x": 1}, deep(30), deep(45)]),
    st.text(max_size=40),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(float),
)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, prefix + (i,))


def mutate(data, draw):
    """One change at a path of the spec: a new value, a deletion, an unknown key, a copy of a list item, a list
    emptied or a value put in a list."""
    all_paths = [p for p in paths(data) if p]
    if not all_paths:
        return data
    path = draw(st.sampled_from(all_paths))
    *head, last = path
    parent = data
    for part in head:
        parent = parent[part]
    kind = draw(st.sampled_from(["replace", "replace", "replace", "delete", "unknown", "duplicate", "empty", "wrap"]))
    if kind == "replace":
        parent[last] = copy.deepcopy(draw(leaf))  # a fresh copy: the pool's lists are shared
    elif kind == "delete":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    elif kind == "unknown" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["colour[1]", "x", "title ", "ชื่อ", "a.b", "__class__", "{{k}}"]))] = copy.deepcopy(
            draw(leaf)
        )
    elif kind == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    elif kind == "empty":
        parent[last] = type(parent[last])() if isinstance(parent[last], (list, dict, str)) else None
    elif kind == "wrap":
        parent[last] = [parent[last]]
    return data


@st.composite
def mutated_specs(draw):
    stem = draw(st.sampled_from(sorted(DATA)))
    data = copy.deepcopy(DATA[stem])
    for _ in range(draw(st.integers(1, 4))):
        data = mutate(data, draw)
    try:
        text = yaml.safe_dump(plain_data(data), allow_unicode=True, sort_keys=False, width=200)
    except (yaml.YAMLError, UnicodeEncodeError):
        text = TEXTS[stem]
    return text


@st.composite
def mangled_texts(draw):
    """An example's text with raw edits: characters inserted, a slice cut or repeated, brackets and indentation."""
    text = TEXTS[draw(st.sampled_from(sorted(TEXTS)))]
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "cut", "repeat", "brackets", "indent"]))
        if kind == "insert":
            text = (
                text[:at]
                + draw(
                    st.sampled_from(
                        [
                            "[",
                            "]",
                            "{",
                            "}",
                            ":",
                            "- ",
                            "&a ",
                            "*a",
                            "!!",
                            "'",
                            '"',
                            "\t",
                            "#",
                            "\x00",
                            "\x1b",
                            "\n  ",
                            "|",
                            ">",
                            "%",
                            "@",
                            "`",
                            "? ",
                        ]
                    )
                    | st.text(max_size=8)
                )
                + text[at:]
            )
        elif kind == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 200)) :]
        elif kind == "repeat":
            end = min(len(text), at + draw(st.integers(1, 300)))
            text = text[:end] + text[at:end] * draw(st.integers(1, 5)) + text[end:]
        elif kind == "brackets":
            n = draw(st.sampled_from([10, 39, 41, 200, 5000]))
            text = text[:at] + "[" * n + "]" * n + text[at:]
        else:
            text = text[:at] + " " * draw(st.integers(1, 40)) + text[at:]
    return text


# -- the properties --------------------------------------------------------------------------------------------------


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # the traceback this fuzzing is looking for
    return result


def check_build(text: str) -> None:
    """validate and build agree; a failure is exit 1 with every problem located, and leaves the folder empty."""
    work = Path(tempfile.mkdtemp(prefix="mou-fuzz-"))
    try:
        spec = work / "spec.yaml"
        spec.write_text(text, encoding="utf-8", errors="surrogatepass")
        validated = invoke("validate", spec)
        built = invoke("build", spec, "--out", work / "out", "--no-pdf")
        assert validated.exit_code in (0, 1) and built.exit_code in (0, 1), (validated.output, built.output)
        assert (validated.exit_code == 0) == (built.exit_code == 0), (validated.output, built.output)
        event("built" if built.exit_code == 0 else "refused with located problems")
        if built.exit_code == 0:
            assert (work / "out" / "spec.docx").is_file()
        else:
            assert not (work / "out").exists() or not any((work / "out").iterdir())
            assert "spec.yaml" in built.output or "library" in built.output, built.output
            assert "\x1b" not in built.output
    finally:
        shutil.rmtree(work, ignore_errors=True)


@fuzz_settings(400)
@given(st.one_of(st.text(max_size=2000), st.binary(max_size=2000), mangled_texts()))
def test_loader_never_raises(text):
    src = parse(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"), "f.yaml")
    event("data" if src.data is not None and not src.problems else "problems")
    assert src.data is None or isinstance(src.data, dict)
    for _path, line, th, en in src.problems:
        assert th and en and (line is None or line >= 1)


@fuzz_settings(150)
@given(mutated_specs())
def test_mutated_spec_is_built_or_located(text):
    check_build(text)


@fuzz_settings(100)
@given(mangled_texts())
def test_mangled_spec_is_built_or_located(text):
    check_build(text)


@fuzz_settings(100)
@given(st.one_of(mutated_specs(), mangled_texts()))
def test_interview_no_input_never_raises(text):
    work = Path(tempfile.mkdtemp(prefix="mou-fuzz-"))
    try:
        answers = work / "answers.yaml"
        answers.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = invoke("interview", "--answers", answers, "--no-input", "--out", work / "out", "--no-pdf")
        assert result.exit_code in (0, 1), result.output
        event("draft built" if result.exit_code == 0 else "refused with located problems")
        if result.exit_code == 0:
            assert (work / "out" / "agreement.docx").is_file()
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- the server under hostile input (issue 28): every form route, every role ----------------------------------------


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


HOSTILE = st.one_of(
    st.sampled_from(
        [t for t in NASTY_TEXT if _utf8(t)]  # a form is sent as UTF-8: no browser sends a lone surrogate
        + ["²", "٣", "-1", "9" * 5000, "1" + " " * 32_000 + "x", "\r\n" * 1000, "\ud7ff\ufeff"]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),  # what a form can carry: UTF-8, no lone surrogate
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50).map(lambda s: s * 2000),  # up to ~100 KB
    st.binary(max_size=64).map(lambda b: b.decode("latin-1")),  # control characters, NUL, C1
)
FORM_KEYS = [
    "f.title", "f.term.start", "f.term.end", "f.signing.date", "f.budget.total", "f.objectives", "f.model",
    "r.instalments.0.due", "r.instalments.0.percent", "r.instalments.999999.due", "r.budget.sources.0._of",
    "r.budget.sources.0.amount", "r.indicators.0.steps", "shown", "action", "goto", "version", "loaded", "clash",
    "keep.title", "force", "model", "language", "name", "date", "place", "confirm", "uid", "note", "document_no",
    "start", "end", "review", "lead_delegator", "lead_partner", "services", "escalation", "remedy", "password",
]  # fmt: skip


def _fuzz_office(root: Path):
    """An office with three users and agreements in every state, its build queue without build threads (the
    requests are what is fuzzed: a build asked for is queued, never run here)."""
    from pipeline.spec.settings import Settings
    from pipeline.store.record import Record
    from pipeline.store.users import Users
    from pipeline.web.app import create_app
    from pipeline.web.jobs import Jobs

    users = Users(root)
    for name, role in (("somchai", "coordinator"), ("malee", "coordinator"), ("nittikorn", "legal")):
        users.add(name, role, f"{name}-password-1")
    record = Record(root)
    care = DATA["inclusive-care"]
    for name, data, owner in (
        ("care", care, "somchai"),
        ("signed", {**care, "signed": {"date": dt.date(2024, 4, 22)}}, "somchai"),
        ("design", DATA["universal-design-nonthaburi"], "malee"),
    ):
        (root / f"{name}.yaml").write_text(yaml.safe_dump(plain_data(data), allow_unicode=True), encoding="utf-8")
        record.set_owner(name, owner)
    (root / "half.answers.yaml").write_text("spec_version: 1\ntitle: ครึ่งทาง\n", encoding="utf-8")
    record.set_owner("half", "somchai")
    app = create_app(root, settings=Settings())
    app.extensions["mou"].jobs = Jobs(0)
    return app


_FUZZ: dict = {}


def _fuzz_clients():
    if not _FUZZ:
        import re

        root = Path(tempfile.mkdtemp(prefix="mou-fuzz-web-"))
        app = _fuzz_office(root)
        clients = {}
        for name in ("somchai", "malee", "nittikorn", None):
            c = app.test_client()
            token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
            if name:
                c.post("/login", data={"csrf": token, "name": name, "password": f"{name}-password-1"})
            with c.session_transaction() as s:
                clients[name or "anonymous"] = (c, s["csrf"])
        routes = sorted(
            {(r.rule, tuple(sorted(r.arguments))) for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
        )
        _FUZZ.update(app=app, clients=clients, routes=routes)
    return _FUZZ


ARGUMENTS = {
    "name": ["care", "signed", "design", "half", "half.answers", "nope", "ก" * 80, ".mou"],
    "page_id": ["screening", "general", "parties", "money", "instalments", "evaluation", "closing", "zz"],
    "year": ["2", "3", "0"],
    "kind": ["pdf", "docx", "exe"],
    "to": ["th", "en", "xx"],
}


def _fill(rule: str, choose) -> str:
    import re

    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: choose(m.group(1)), rule)


def _post_hostile(route: str, role: str, pairs: list[tuple[str, str]]):
    import time

    from werkzeug.datastructures import MultiDict

    fuzz = _fuzz_clients()
    client, token = fuzz["clients"][role]
    started = time.perf_counter()
    answer = client.post(route, data=MultiDict([("csrf", token), *pairs]))
    took = time.perf_counter() - started
    assert answer.status_code < 500, (route, role, answer.status_code, answer.get_data(as_text=True)[:500])
    assert took < 2.0, (route, role, took)
    return answer


def test_every_form_route_and_role_answers_hostile_input_without_a_500():
    """Each POST route the app has (read from the app itself, so a new route is covered), each role, one hostile
    form of every key: never a 500, answered within 2 s."""
    fuzz = _fuzz_clients()
    assert len(fuzz["routes"]) >= 13
    pairs = [(k, "1" + " " * 20_000 + "x\x00\r") for k in FORM_KEYS] + [("f.title", "<w:p>{{ 7*7 }}")] * 3
    for rule, _ in fuzz["routes"]:
        for role in fuzz["clients"]:
            _post_hostile(_fill(rule, lambda arg: ARGUMENTS.get(arg, ["x"])[0]), role, pairs)


@fuzz_settings(150)
@given(
    st.data(),
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(FORM_KEYS), st.text(alphabet=st.characters(codec="utf-8"), max_size=30)), HOSTILE
        ),
        max_size=12,
    ),
)
def test_hostile_forms_never_take_the_server_down(data, pairs):
    fuzz = _fuzz_clients()
    rule, _ = data.draw(st.sampled_from(fuzz["routes"]))
    role = data.draw(st.sampled_from(sorted(fuzz["clients"])))
    route = _fill(rule, lambda arg: data.draw(st.sampled_from(ARGUMENTS.get(arg, ["x"]))))
    event(str(_post_hostile(route, role, pairs).status_code))
