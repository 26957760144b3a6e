"""Where LibreOffice may break a line of Thai, asked of the ICU library LibreOffice itself breaks lines with.

LibreOffice (Debian's, and the builds that bundle their own) finds Thai line breaks with ICU's line break iterator,
whose Thai dictionary splits compounds and phrases (ดำเนิน|การ, เมื่อวัน|ที่). Asking the same ICU in process, through
its C interface (ctypes: no compiler, no package beyond the libicu LibreOffice depends on), tells the renderer where
those breaks fall, so a joiner goes only where one is needed (thai.join_words): a joiner between every two clusters of
every word took 1.7 s of a 1.8 s export of an 11-page agreement, a joiner only at ICU's breaks inside a word 0.22 s.
Debian's LibreOffice links the system's libicuuc (ldd libmergedlo.so), which is the one found here."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import glob
import os
import re
import threading
from collections.abc import Callable
from typing import Any

UBRK_LINE = 2
UBRK_DONE = -1
_SONAME = re.compile(r"libicuuc\.so\.(\d+)")


def _candidates() -> list[str]:
    """libicuuc files, LibreOffice's own first (a bundled ICU in /opt/libreoffice*/program), then the system's."""
    found = sorted(glob.glob("/opt/libreoffice*/program/libicuuc.so.*"))
    system = ctypes.util.find_library("icuuc")
    if system:
        found.append(system)
    found += sorted(glob.glob("/usr/lib/*/libicuuc.so.[0-9]*"), reverse=True)
    return [f for f in found if _SONAME.search(os.path.basename(f))]


def _bind(path: str) -> dict[str, Any] | None:
    lib = ctypes.CDLL(path)
    found = _SONAME.search(os.path.basename(path))
    major = found.group(1) if found else ""
    for suffix in (f"_{major}", ""):  # ICU renames its symbols by version unless built with renaming off
        if hasattr(lib, f"ubrk_open{suffix}"):
            break
    else:
        return None
    fn = {name: getattr(lib, f"{name}{suffix}") for name in ("ubrk_open", "ubrk_setText", "ubrk_first", "ubrk_next")}
    status = ctypes.POINTER(ctypes.c_int)
    fn["ubrk_open"].restype = ctypes.c_void_p
    fn["ubrk_open"].argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int32, status]
    fn["ubrk_setText"].argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32, status]
    for name in ("ubrk_first", "ubrk_next"):
        fn[name].argtypes = [ctypes.c_void_p]
        fn[name].restype = ctypes.c_int32
    return fn


class _Breaker:
    """ICU's line break iterator for Thai, one per thread (an ICU iterator is not shared between threads)."""

    def __init__(self, fn: dict[str, Any]) -> None:
        self.fn = fn
        self.local = threading.local()

    def _iterator(self) -> Any:
        it = getattr(self.local, "it", None)
        if it is None:
            err = ctypes.c_int(0)
            it = self.fn["ubrk_open"](UBRK_LINE, b"th", None, 0, ctypes.byref(err))
            if err.value > 0 or not it:
                raise OSError(f"ubrk_open failed: ICU error {err.value}")
            self.local.it = it
        return it

    def __call__(self, text: str) -> list[int]:
        """The positions in `text` (a string of BMP characters, as Thai is) before which a line may break."""
        it = self._iterator()
        data = ctypes.create_string_buffer(text.encode("utf-16-le"))
        self.local.data = data  # ICU reads the text in place: keep it alive while the iterator points at it
        err = ctypes.c_int(0)
        self.fn["ubrk_setText"](it, data, len(text), ctypes.byref(err))
        if err.value > 0:
            raise OSError(f"ubrk_setText failed: ICU error {err.value}")
        out = []
        self.fn["ubrk_first"](it)
        while (at := self.fn["ubrk_next"](it)) != UBRK_DONE:
            out.append(at)
        return out


@functools.lru_cache(maxsize=1)
def line_breaks() -> Callable[[str], list[int]] | None:
    """ICU's Thai line breaks as a function of the text, or None where no ICU library can be loaded."""
    for path in _candidates():
        try:
            fn = _bind(path)
            if fn:
                breaker = _Breaker(fn)
                breaker("ทดสอบ")
                return breaker
        except OSError:
            continue
    return None
