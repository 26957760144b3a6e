"""DOCX -> PDF through a LibreOffice process that stays up (UNO over a pipe), with a timeout and a restart."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline import PROJECT_ROOT
from pipeline.errors import ConvertError
from pipeline.render import lodoc
from pipeline.render.lodoc import SARABUN, for_libreoffice
from pipeline.render.office import RESTART_CODE, Adopted, Ahead, Setup, command, environment, new_pipe, new_setup, spawn
from pipeline.render.pagination import Strand, break_before, stranded
from pipeline.render.pdfmeta import set_pdf_metadata
from pipeline.render.pdftext import same_pages
from pipeline.render.procs import bound_sockets, forget_profile, keep_profile

T = TypeVar("T")


_warned: list[bool] = []


def _warn_fallback_once() -> None:
    """Once per process: the PDFs of this run are not in the official font."""
    if not _warned:
        _warned.append(True)
        sys.stderr.write(
            "คำเตือน: ไม่พบฟอนต์ TH Sarabun New (ฟอนต์ราชการ) PDF จะใช้ฟอนต์ Laksaman แทน ติดตั้งด้วย `make fonts` / "
            "warning: TH Sarabun New (the official font) is not installed: the PDF is set in Laksaman instead; "
            "install it with `make fonts`\n"
        )


def _import_uno() -> Any:
    try:
        import uno  # noqa: F401  (Debian's python3-uno, visible because .venv is built on /usr/bin/python3)
        from com.sun.star.beans import PropertyValue  # noqa: F401
    except ImportError as exc:
        raise ConvertError(
            "ไม่พบโมดูล uno / Python cannot import uno: install python3-uno and build .venv on /usr/bin/python3 (`make install`)"
        ) from exc
    return uno


def _product_version(ctx: Any) -> tuple[int, int] | None:
    """LibreOffice's version (7, 4) or (25, 2), from its configuration."""
    try:
        provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
        node = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess", _props(nodepath="/org.openoffice.Setup/Product")
        )
        major, minor = (int(x) for x in str(node.getByName("ooSetupVersion")).split(".")[:2])
        return major, minor
    except Exception:  # an unexpected configuration: the careful placement
        return None


def _props(**kw: object) -> tuple[Any, ...]:
    from com.sun.star.beans import PropertyValue

    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


class Converter:
    """One LibreOffice process, started on first use and kept for every conversion until close()."""

    def __init__(self, timeout: float = 120.0, start_timeout: float = 60.0):
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | Adopted | None = None
        self.desktop = None
        self.workdir: Path | None = None
        self.has_sarabun: bool | None = None
        self.version: tuple[int, int] | None = None  # LibreOffice's, once started
        self.join_thai = True  # word joiners in the conversion copy (thai.join_words); off only to measure them
        self.restarts = 0
        self.pipe = ""
        self.command: list[str] = []
        self.template: Path | None = None  # the profile kept between runs (procs.profile_template)
        self.seeded = False  # whether this profile was copied from it
        self._warming: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------
    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start LibreOffice and wait until it answers."""
        self.launch()
        self.connect()

    def launch(self) -> None:
        """Start LibreOffice's process without waiting for it: a worker does its own loading meanwhile."""
        _import_uno()
        if self.workdir is None:
            self._set_up(new_setup())
        self.pipe = new_pipe()
        assert self.workdir is not None
        self.command = command(self.workdir, self.pipe)
        self.desktop = None
        self.proc = self._launch()
        self._check_font()

    def adopt(self, ahead: Ahead) -> None:
        """Take over a LibreOffice another process of the run launched for this one (office.launch_ahead): its
        folder, its pipe, its process (which its launcher reaps). connect() then waits for it as for one's own."""
        _import_uno()
        self._set_up(ahead.setup)
        self.pipe, self.command = ahead.pipe, list(ahead.argv)
        self.desktop = None
        self.proc = Adopted(ahead.pid)
        self._check_font()

    def _set_up(self, setup: Setup) -> None:
        self.workdir, self.template, self.seeded = setup.workdir, setup.template, setup.seeded

    def _check_font(self) -> None:
        if self.has_sarabun is None:
            self.has_sarabun = self._font_installed(SARABUN)
            if not self.has_sarabun:
                _warn_fallback_once()

    def _launch(self) -> subprocess.Popen[bytes]:
        assert self.workdir is not None  # set up by launch()
        return spawn(self.command, self.workdir)

    def connect(self) -> None:
        """Wait until the launched LibreOffice answers over its pipe (restarting it once if a new profile asks)."""
        uno = _import_uno()
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + self.start_timeout
        restarts = 0
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
                self.version = self.version or _product_version(ctx)
                return
            except Exception:  # NoConnectException until soffice listens
                assert self.proc is not None and self.template is not None  # launched and chosen by start()
                code = self.proc.poll()
                if code == RESTART_CODE and restarts < 2:  # a new profile made: soffice.bin asks to be started again
                    restarts += 1
                    self.proc = self._launch()
                    continue
                if code is not None or time.monotonic() > deadline:
                    # perhaps the kept profile: the next start makes a new one (not for one launched ahead, which
                    # its test or a user may have killed: its exit status is not known here)
                    if self.seeded and not isinstance(self.proc, Adopted):
                        forget_profile(self.template)
                if code is not None:
                    self._kill()
                    raise ConvertError(
                        f"LibreOffice หยุดทำงานขณะเริ่มต้น / LibreOffice exited while starting (code {code})"
                    ) from None
                if time.monotonic() > deadline:
                    self._kill()
                    raise ConvertError(
                        f"LibreOffice ไม่ตอบสนองภายใน {self.start_timeout:.0f} วินาที / LibreOffice did not start within {self.start_timeout:.0f} s"
                    ) from None
                time.sleep(0.05)

    def _font_installed(self, family: str) -> bool:
        try:
            out = subprocess.run(
                ["fc-list", family, "family"], capture_output=True, text=True, env=self._environment(), timeout=30
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return False
        return family.lower() in out.lower()

    def _environment(self) -> dict[str, str]:
        assert self.workdir is not None  # set up by launch() or adopt()
        return environment(self.workdir)

    def _kill(self) -> None:
        if self.proc:
            # its pipes in /tmp, which a killed LibreOffice leaves there (a terminated one removes them itself)
            sockets = bound_sockets(self.proc.pid) if self.proc.poll() is None else []
            # the whole process group, even when the process started exited by itself: a child (soffice.bin) may
            # outlive it a moment and write into the profile while it is being removed
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.proc.poll() is None:
                self.proc.wait(timeout=10)
            for path in sockets:
                with contextlib.suppress(OSError):
                    os.unlink(path)
        self.proc, self.desktop = None, None

    def warm_up(self, docx: bytes | None = None) -> None:
        """Connect to the launched LibreOffice and convert a first document (the Thai Word template unless given) on
        a thread while this process does something else: a new LibreOffice's first document costs it 0.25 s more
        than the next (Writer, the DOCX filter, the fonts loaded), which a batch worker's first agreement, or the
        draft at an interview's end, waited for. The next conversion waits for the thread; a failure here is met
        again, and reported, by that conversion. Only for a LibreOffice started from the kept profile: a first start
        asks to be started again, and one started from that thread would die with it (the parent-death signal
        follows the thread that started a process)."""
        if not self.seeded or self.proc is None:
            return
        if docx is None:
            docx = (PROJECT_ROOT / "templates" / "th" / "mou.docx").read_bytes()

        def run() -> None:
            with contextlib.suppress(Exception):
                self.connect()
                job = self._load(docx, native=False)
                try:
                    self._store(job)
                finally:
                    self._unload(job)

        self._warming = threading.Thread(target=run, name="mou-warm-up", daemon=True)
        self._warming.start()

    def _warmed(self) -> None:
        if self._warming is not None:
            self._warming.join()
            self._warming = None

    def close(self, ending: bool = False) -> None:
        """Stop LibreOffice and remove its folder. `ending`: this process ends next (a batch worker): a LibreOffice
        whose profile was copied from the kept one is then killed at once instead of asked to terminate, which
        writes out that profile (thrown away with the folder) first: 0.15 s at the end of every batch worker. A
        process that lives on (a test, `mou serve` building without a pool) terminates it cleanly: its UNO bridge
        then winds down in order, not torn by a dead peer while this process goes on opening files."""
        self._warmed()
        quick = ending and self.seeded
        if self.desktop is not None and self.proc and self.proc.poll() is None and not quick:
            try:
                self.desktop.terminate()
                if self.proc.wait(timeout=10) == 0 and not self.seeded and self.workdir:
                    keep_profile(self.workdir / "profile", self.template)
            except Exception:
                pass
        self._kill()
        if self.workdir:
            for _ in range(20):  # a process of the group that had not yet died may have written into it meanwhile
                shutil.rmtree(self.workdir, ignore_errors=True)
                if not self.workdir.exists():
                    break
                time.sleep(0.05)
            self.workdir = None

    @property
    def marks_stay_put(self) -> bool:
        """Whether this LibreOffice's PDF export keeps a Thai mark with its letter in the text layer when a joiner
        follows it. 25.2 does (it writes each cluster's text with the base glyph); 7.4 does not (พัฒนา read back as
        พฒันา). Versions between were not tried, so they are treated as 7.4."""
        return self.version is not None and self.version >= (25, 2)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc and self.proc.poll() is None else None

    # -- conversion ----------------------------------------------------------------------------------------
    def convert(
        self,
        docx: bytes,
        metadata: dict[str, str] | None = None,
        fields: tuple[str, ...] = (),
        native: bool = True,
    ) -> bytes:
        """PDF bytes of a DOCX (with an empty signature field per role in `fields`); `native`: page numbers in the
        digits of their text's language (a Thai document; an English one's are Arabic either way, and skipping the
        page styles saves a tenth of its conversion). A dead or hung LibreOffice is restarted and the document tried
        once more."""
        try:
            return self._convert_once(docx, metadata, fields, native)
        except ConvertError:
            self.restarts += 1
            self._kill()
            return self._convert_once(docx, metadata, fields, native)

    def _convert_once(
        self, docx: bytes, metadata: dict[str, str] | None, fields: tuple[str, ...] = (), native: bool = True
    ) -> bytes:
        self._warmed()
        if self.proc is None or self.proc.poll() is not None:
            if self.proc is not None:  # it died since the last document
                self.restarts += 1
            self._kill()
            self.start()
        elif self.desktop is None:  # launched, not yet answering
            self.connect()
        copy = for_libreoffice(
            docx, fallback_font=not self.has_sarabun, joiners_after_marks=self.marks_stay_put, join_thai=self.join_thai
        )
        job = self._load(copy, native)
        try:
            pdf = self._store(job)
            for _ in range(REFLOWS):  # a heading or lead-in LibreOffice left at a page foot goes to the next page
                strands = stranded(pdf, copy)
                if not strands:
                    break
                copy = break_before(copy, [s.start for s in strands])
                if not self._broken_in_place(job, strands):
                    self._unload(job)  # not found where the PDF has it: the copy with its page breaks, loaded again
                    job = self._load(copy, native)
                pdf = self._store(job)
        finally:
            self._unload(job)
        final = set_pdf_metadata(pdf, metadata or {}, fields)
        same_pages(final, pdf)  # the build's checks of the final PDF read its pages from the parse already made
        return final

    def _broken_in_place(self, job: _Job, strands: list[Strand]) -> bool:
        """lodoc.break_in_place, where an error of LibreOffice's (a page ending in a table, say) is a chain not found
        there; past the timeout LibreOffice is gone and the conversion fails as any other step."""
        try:
            return self._in_time(functools.partial(lodoc.break_in_place, job.doc, strands))
        except ConvertError:
            if self.proc is None or self.proc.poll() is not None:
                raise
            return False

    def _in_time(self, work: Callable[[], T]) -> T:
        """What `work` (calls to LibreOffice) returns, done on a thread within the timeout: past it LibreOffice is
        killed; either way a failure is a ConvertError."""
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                result["value"] = work()
            except Exception as exc:  # a UNO exception or a dead bridge
                result["error"] = exc

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            self._kill()
            raise ConvertError(
                f"LibreOffice ใช้เวลาเกิน {self.timeout:.0f} วินาที / LibreOffice took longer than {self.timeout:.0f} s and was stopped"
            )
        if "error" in result:
            raise ConvertError(
                f"LibreOffice แปลงเอกสารไม่สำเร็จ / LibreOffice failed to convert the document: {result['error']}"
            )
        value: T = result["value"]
        return value

    def _load(self, docx: bytes, native: bool = True) -> _Job:
        """These DOCX bytes loaded in LibreOffice, as they are (`native`: see convert), in a folder of their own."""
        assert self.workdir is not None and self.desktop is not None  # a started converter
        desktop = self.desktop
        job = _Job(self.workdir / f"job-{uuid.uuid4().hex[:8]}")
        job.folder.mkdir()
        src = job.folder / "in.docx"
        src.write_bytes(docx)

        def load() -> Any:
            doc = desktop.loadComponentFromURL(src.as_uri(), "_blank", 0, _props(Hidden=True, ReadOnly=True))
            try:
                # Writer's idle jobs (the word count for the status bar among them) wait while the controllers are
                # locked; the export lays out and paints the pages itself (same pages, same text).
                doc.lockControllers()
                if native:
                    lodoc.native_page_numbers(doc, one_style=self.marks_stay_put and lodoc.one_section(docx))
            except Exception:
                doc.close(True)
                raise
            return doc

        try:
            job.doc = self._in_time(load)
        except ConvertError:
            shutil.rmtree(job.folder, ignore_errors=True)
            raise
        return job

    def _store(self, job: _Job) -> bytes:
        """The PDF of the loaded document as it now is."""
        uno = _import_uno()
        dst = job.folder / f"out-{job.stores}.pdf"
        job.stores += 1
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**PDF_EXPORT))
        self._in_time(
            lambda: job.doc.storeToURL(dst.as_uri(), _props(FilterName="writer_pdf_Export", FilterData=filter_data))
        )
        if not dst.exists():
            raise ConvertError("LibreOffice แปลงเอกสารไม่สำเร็จ / LibreOffice failed to convert the document: no PDF")
        return dst.read_bytes()

    def _unload(self, job: _Job) -> None:
        """The document closed (unless its LibreOffice is gone) and its folder removed."""
        try:
            if job.doc is not None and self.proc is not None and self.proc.poll() is None:
                doc, job.doc = job.doc, None
                self._in_time(lambda: doc.close(True))
        finally:
            shutil.rmtree(job.folder, ignore_errors=True)


@dataclass
class _Job:
    """A document loaded in LibreOffice, and the folder of its files."""

    folder: Path
    doc: Any = None
    stores: int = 0


REFLOWS = 2  # conversions again at most, each with page breaks before the chains LibreOffice left at a page foot


# PDF/A-2b (archival: fonts embedded, metadata as XMP), with the outline of headings that validation reads.
PDF_EXPORT = {"SelectPdfVersion": 2, "ExportBookmarks": True}  # untagged: PDF/A-2b needs no tags (see _untagged)
