"""The one Jinja sandbox for everything a library brings: clause texts, conditions, table cells and the Word template.

A library is an agency's own folder (`--library`), so what it holds is treated as code from outside: no attribute
starting with an underscore (Jinja's sandbox: no `cycler.__init__.__globals__.os`), and limits on what a render may
cost. A render that breaks a limit raises RenderLimit, which the caller turns into a LibraryError naming the file.

- Size: `*`, `+`, `%` and `~` refuse a result longer than MAX_TEXT before building it, a call with a huge width or
  count (`center(10**9)`, `"{:>999999999}"`) is refused, and a template's output stops at its own limit.
- Time: a render runs under a wall-clock limit (SIGALRM in the main thread, which is where `mou` renders: the
  command itself or a batch worker); every call, attribute and item lookup also checks the deadline, so a render in
  another thread is bounded too as soon as its loop does anything.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import time

from jinja2 import Template
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_TEXT = 1_000_000  # characters (or items) of any one value made while rendering
MAX_WIDTH = 10_000  # a width, count or padding passed to a call, or written in a format
_WIDE_FORMAT = re.compile(r"%[-+ #0]*\d{5,}|\{[^{}]*:[^{}]*\d{5,}[^{}]*\}|%[-+ #0]*\*|\{[^{}]*:[^{}]*\{")


class RenderLimit(SecurityError):
    """A library template asked for more time or memory than any agreement needs."""


_state = threading.local()


def _check_deadline() -> None:
    deadline = getattr(_state, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise RenderLimit(f"rendering took longer than {_state.seconds:g} s")


def _sized(value) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


def _refuse_size(n: int, what: str) -> None:
    if n > MAX_TEXT:
        raise RenderLimit(f"{what} would make a value of {n:,} characters (the limit is {MAX_TEXT:,})")


class _Generator(CodeGenerator):
    """`a ~ b ~ c` checks the lengths of its parts before joining them."""

    def visit_Concat(self, node, frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.bounded((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


class LimitedTemplate(Template):
    """A template whose output stops at the environment's output limit, and which renders within its time limit."""

    def render(self, *args, **kwargs) -> str:
        env = self.environment
        assert isinstance(env, LimitedSandbox)  # the only environment that makes these templates
        out: list[str] = []
        size = 0
        with env.time_limit():
            for chunk in self.generate(*args, **kwargs):
                size += len(chunk)
                if size > env.max_output:
                    raise RenderLimit(f"the output is longer than {env.max_output:,} characters")
                out.append(chunk)
        return "".join(out)


class LimitedSandbox(SandboxedEnvironment):
    code_generator_class = _Generator
    template_class = LimitedTemplate
    intercepted_binops = frozenset({"*", "+", "%", "**", "//"})

    def __init__(self, *args, seconds: float = 10.0, max_output: int = MAX_TEXT, **kwargs):
        super().__init__(*args, **kwargs)
        self.seconds = seconds
        self.max_output = max_output

    # -- time --------------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def time_limit(self):
        """The render's deadline; nested renders (a template calling a macro) keep the outermost one."""
        if getattr(_state, "deadline", None) is not None:
            yield
            return
        _state.deadline, _state.seconds = time.monotonic() + self.seconds, self.seconds
        alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        if alarm:

            def expired(signum, frame):
                raise RenderLimit(f"rendering took longer than {self.seconds:g} s")

            previous = signal.signal(signal.SIGALRM, expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            yield
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            _state.deadline = None

    # -- size and time at every step -----------------------------------------------------------------------------
    def bounded(self, parts: tuple) -> tuple:
        _check_deadline()
        _refuse_size(sum(len(p) if isinstance(p, str) else 0 for p in parts), "joining with ~")
        return parts

    def call_binop(self, context, operator_: str, left, right):
        _check_deadline()
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if _sized(seq) and isinstance(n, int):
                    _refuse_size(len(seq) * n, "'*'")
        elif operator_ == "+":
            _refuse_size(_sized(left) + _sized(right), "'+'")
        elif operator_ == "%" and isinstance(left, str):
            if _WIDE_FORMAT.search(left):
                raise RenderLimit("a format with a width over 9,999 or a variable width")
        elif (
            operator_ == "**"
            and isinstance(right, (int, float))
            and abs(right) > 64
            and not (isinstance(left, (int, float)) and abs(left) <= 1)
        ):
            raise RenderLimit(f"'**' with an exponent of {right}")
        return super().call_binop(context, operator_, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805  (Jinja's own signature)
        name = getattr(__obj, "__name__", "")
        _precheck(name, getattr(__obj, "__self__", None), args, kwargs)
        return _checked_result(name, super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj, attribute):
        _check_deadline()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _check_deadline()
        return super().getitem(obj, argument)


# What takes a width, a count or a length that sizes its result (str methods, Jinja's filters and lipsum).
_WIDTH_CALLS = {
    "center",
    "ljust",
    "rjust",
    "zfill",
    "expandtabs",
    "indent",
    "wordwrap",
    "truncate",
    "replace",
    "split",
    "rsplit",
    "do_center",
    "do_indent",
    "do_wordwrap",
    "do_truncate",
    "do_replace",
    "generate_lorem_ipsum",
}


def _precheck(name: str, target, args: tuple, kwargs: dict) -> None:
    """Refuse before the call what would make a huge value: a width or count over MAX_WIDTH (range aside: Jinja holds
    it to MAX_RANGE), a wide format, a replace() or join() whose result would pass MAX_TEXT."""
    _check_deadline()
    values = list(args) + list(kwargs.values())
    if name in _WIDTH_CALLS:
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
                raise RenderLimit(f"{name or 'a call'}() with {value:,}, over the limit of {MAX_WIDTH:,}")
    texts = [v for v in values if isinstance(v, str)] + ([target] if isinstance(target, str) else [])
    if name in ("format", "do_format") and any(_WIDE_FORMAT.search(t) for t in texts):
        raise RenderLimit("a format with a width over 9,999 or a variable width")
    if name in ("replace", "do_replace"):
        text, rest = (target, args) if isinstance(target, str) else (args[0] if args else None, args[1:])
        old, new = (rest + (None, None))[:2]
        if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
            _refuse_size(len(text) + (text.count(old) if old else len(text) + 1) * len(new), "replace()")
    if name in ("join", "do_join"):
        seq, sep = (
            (args[0] if args else (), target)
            if isinstance(target, str)
            else (args[0] if args else (), args[1] if len(args) > 1 else "")
        )
        if isinstance(seq, (list, tuple)):
            _refuse_size(sum(len(str(x)) for x in seq) + len(seq) * len(str(sep)), "join()")


def _checked_result(name: str, result):
    if _sized(result) > MAX_TEXT:
        raise RenderLimit(f"{name or 'a call'}() made a value of {len(result):,} characters")
    return result


def _guarded_filter(name: str, func):
    """A filter checked like a call (filters are called directly, not through the sandbox's call())."""
    passes = getattr(func, "jinja_pass_arg", None)

    def guarded(*args, **kwargs):
        own = args[1:] if passes is not None else args  # the context or environment Jinja passes first is not data
        _precheck(name, None, own, kwargs)
        return _checked_result(name, func(*args, **kwargs))

    if passes is not None:
        guarded.jinja_pass_arg = passes  # type: ignore[attr-defined]  # how Jinja marks a filter that takes the context
    guarded.__name__ = name
    return guarded


def guard_filters(env: LimitedSandbox) -> None:
    """Every filter of env (Jinja's and the pipeline's own) checked for time and size; call after adding filters."""
    env.filters = {name: _guarded_filter(name, f) for name, f in env.filters.items()}
