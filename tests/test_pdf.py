import io
import os
import signal
import zipfile

import pytest

from pipeline.errors import ConvertError
from pipeline.render.pdf import Converter, for_libreoffice
from pipeline.render.thai import thai_digits


def test_fallback_font_scaling(built_examples):
    original = built_examples["inclusive-care"].docx.read_bytes()
    headers = lambda z: "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))  # noqa: E731
    assert "ThaiArabic" in headers(zipfile.ZipFile(io.BytesIO(original)))  # Word prints the page number in Thai digits
    data = for_libreoffice(original, fallback_font=True)
    assert "ThaiArabic" not in headers(zipfile.ZipFile(io.BytesIO(data)))
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert "TH Sarabun New" not in styles and "Laksaman" in styles
    assert '<w:sz w:val="21"/>' in styles  # 16 pt (32 half-points) * 0.66


def test_killed_libreoffice_is_restarted(built_examples):
    docx = built_examples["elderly-database-grant"].docx.read_bytes()
    with Converter(timeout=60) as conv:
        assert conv.convert(docx).startswith(b"%PDF")
        os.killpg(conv.pid, signal.SIGKILL)
        assert conv.convert(docx).startswith(b"%PDF")
        assert conv.restarts == 1


def test_hung_conversion_times_out_with_clear_error(built_examples):
    docx = built_examples["elderly-database-grant"].docx.read_bytes()
    with Converter(timeout=0.001) as conv:
        with pytest.raises(ConvertError, match="longer than"):
            conv.convert(docx)


def test_the_official_font_is_the_pinned_file():
    """`make` installed TH Sarabun New into fonts/, and it is the file pinned by sha256 (scripts/install_fonts.py)."""
    import importlib.util

    from pipeline.library.clauses import PROJECT_ROOT

    spec = importlib.util.spec_from_file_location("install_fonts", PROJECT_ROOT / "scripts" / "install_fonts.py")
    install_fonts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(install_fonts)
    assert install_fonts.missing() == []


def test_without_the_official_font_the_build_warns_once_and_uses_laksaman(tmp_path):
    import subprocess
    import sys

    from pipeline.library.clauses import PROJECT_ROOT

    empty = tmp_path / "no-fonts"
    empty.mkdir()
    env = {**os.environ, "MOU_FONTS_DIR": str(empty)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "build",
            "examples/elderly-database-grant.yaml",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("TH Sarabun New (the official font) is not installed") == 1, done.stderr
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "o" / "elderly-database-grant.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "Laksaman" in fonts and "THSarabunNew" not in fonts, fonts


def test_the_conversion_copy_holds_joiners_and_the_docx_none(built_examples):
    from pipeline.render.thai import JOINER

    original = built_examples["inclusive-care"].docx.read_bytes()
    body = lambda data: zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()  # noqa: E731
    assert JOINER not in body(original)
    copy = body(for_libreoffice(original, fallback_font=False))
    assert JOINER in copy
    assert "ผู้รับ\ufeffมอบ\ufeffภารกิจ" in copy
    assert "ผู้รับมอบภารกิจ" in body(for_libreoffice(original, fallback_font=False, join_thai=False))


def test_a_kept_profile_starts_libreoffice_again_in_a_fraction_of_the_time(built_examples, tmp_path, monkeypatch):
    """The first clean exit keeps LibreOffice's profile in the user's cache; the next start copies it (no extension
    registration, 0.13 s instead of 0.9 s on this machine) and converts as well; an emptied cache starts fresh."""
    import time

    from pipeline.render.pdf import Converter

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    docx = built_examples["elderly-database-grant"].docx.read_bytes()
    times = []
    for _ in range(2):
        with Converter() as c:
            started = time.perf_counter()
            c.start()
            times.append(time.perf_counter() - started)
            seeded = c.seeded
            assert c.convert(docx).startswith(b"%PDF")
        assert (c.template / "user" / "registrymodifications.xcu").is_file()
    assert seeded and c.template.parent == tmp_path / "cache" / "mou"
    print(f"\nLibreOffice start: {times[0]:.2f} s fresh, {times[1]:.2f} s from the kept profile")
    assert times[1] < times[0]


def test_libreoffice_leaves_no_pipe_in_tmp(tmp_path, monkeypatch):
    """A LibreOffice started from the kept profile is killed at a batch worker's end (nothing of it is kept), which
    would leave its two pipes in /tmp for good: they are removed with it. The pipes a killed run of ours left behind (its process gone) are
    removed by the next start; a live process's are not touched."""
    import shutil
    import socket
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from pipeline.render.procs import bound_sockets, remove_stale_pipes

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with Converter() as first:
        first.start()  # a new profile, terminated cleanly and kept
    second = Converter()
    second.start()
    pipes = bound_sockets(second.proc.pid)
    assert second.seeded and any(second.pipe in p for p in pipes) and len(pipes) >= 2
    second.close(ending=True)  # a batch worker's end: killed, not terminated
    assert not [p for p in pipes if os.path.exists(p)]

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    folder = Path(tempfile.mkdtemp(prefix="mou-pipes-", dir="/tmp"))  # a socket's path is at most 107 bytes
    names = {
        "dead": f"OSL_PIPE_{os.getuid()}_mou-{gone.stdout.strip()}-0a1b2c3d",
        "alive": f"OSL_PIPE_{os.getuid()}_mou-{os.getpid()}-0a1b2c3d",
        "not ours": f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_0a1b2c3d",
    }
    for name in names.values():
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(folder / name))
    try:
        assert remove_stale_pipes(str(folder)) == 1
        assert sorted(p.name for p in folder.iterdir()) == sorted([names["alive"], names["not ours"]])
    finally:
        shutil.rmtree(folder)


def test_the_final_pdf_is_read_from_the_parse_of_libreoffices_pdf_and_reads_the_same(built_examples, converter):
    """The build's checks of a final PDF reuse the reading of the PDF LibreOffice wrote (pdftext.same_pages): sound
    only if what pdfmeta.set_pdf_metadata does around the pages (signature fields, document information, no
    structure tree, plain bookmarks) leaves every page's text and every dotted line where it was. Parsed afresh, the
    two read the same, for a final with its signature fields and for an English draft."""
    from pipeline.render import pdf as pdfmodule
    from pipeline.render import pdftext

    pairs = []
    real = pdfmodule.same_pages

    def spy(new, old):
        real(new, old)
        pairs.append((new, old, pdftext.read_pdf(new) is pdftext.read_pdf(old)))  # shared, not parsed again

    pdfmodule.same_pages = spy
    try:
        final = built_examples["inclusive-care"]
        assert final.agreement.signers  # a final: its signature fields
        converter.convert(final.docx.read_bytes(), {"Title": "t"}, final.agreement.signers)
        draft = built_examples["elderly-database-grant-en"]
        converter.convert(draft.docx.read_bytes(), {"Title": "t"}, (), native=False)
    finally:
        pdfmodule.same_pages = real
    assert len(pairs) == 2
    for new, old, shared in pairs:
        assert new != old and shared
        fresh_new, fresh_old = pdftext._parse(new), pdftext._parse(old)
        assert fresh_new == fresh_old and fresh_new.pages and "".join(fresh_new.pages).strip()
    assert any(read.dots for read in (pdftext._parse(new) for new, _, _ in pairs))  # the final's signature lines


def test_pdfs_read_from_several_threads_at_once_read_as_one_at_a_time(built_examples):
    """`mou serve` without a pool builds in its request threads: PDFium, which is not thread-safe, is used by one
    thread at a time (pdftext._LOCK), and the shared readings stay whole. Four threads read five PDFs, each several
    times; every reading equals the one made alone."""
    import threading

    from pipeline.render import pdftext

    pdfs = [b.pdf.read_bytes() for b in built_examples.values()]
    alone = [pdftext._parse(p) for p in pdfs]
    errors, results = [], []

    def reader(offset):
        try:
            for k in range(6):
                i = (offset + k) % len(pdfs)
                results.append((i, pdftext.read_pdf(pdfs[i])))
                pdftext.pdf_outline(pdfs[i], ["MouSpecHash"])
        except Exception as exc:  # noqa: BLE001  (any failure in a thread is the finding)
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and len(results) == 4 * 6
    assert all(read == alone[i] for i, read in results)


def test_a_document_of_two_sections_numbers_the_pages_of_both_in_thai_digits(built_examples, converter):
    """Page numbers are made native in LibreOffice's page styles; a document of one section is set in one style (the
    quick path of render.pdf._native_page_numbers), one of two sections in two: both styles number in Thai digits.
    Here the second half of an agreement is a landscape section of its own (pages of another size)."""
    import re

    import pypdfium2 as pdfium

    from pipeline.render.pdftext import pdf_pages

    original = built_examples["inclusive-care"].docx.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode()
                body_sect = re.search(r"<w:sectPr[ >].*?</w:sectPr>", xml[xml.rindex("<w:sectPr") :], re.S).group(0)
                landscape = re.sub(
                    r'<w:pgSz w:w="(\d+)" w:h="(\d+)"/>', r'<w:pgSz w:w="\2" w:h="\1" w:orient="landscape"/>', body_sect
                )  # and no title page of its own: its first page numbered like the rest
                landscape = re.sub(r'<w:titlePg/>|<w:headerReference w:type="first"[^>]*/>', "", landscape)
                assert landscape != body_sect
                paragraphs = [m.end() for m in re.finditer(r"</w:p>", xml)]
                middle = paragraphs[len(paragraphs) // 2]
                xml = xml[:middle] + f"<w:p><w:pPr>{body_sect}</w:pPr></w:p>" + xml[middle:]
                xml = xml[: xml.rindex("<w:sectPr")] + xml[xml.rindex("<w:sectPr") :].replace(body_sect, landscape)
                assert xml.count("<w:sectPr") == 2
                data = xml.encode()
            dst.writestr(item, data)
    pdf = converter.convert(out.getvalue())
    doc = pdfium.PdfDocument(pdf)
    sizes = [round(doc[i].get_width()) > round(doc[i].get_height()) for i in range(len(doc))]
    doc.close()
    assert not sizes[0] and sizes[-1]  # portrait first, landscape last: two page styles
    pages = pdf_pages(pdf, layout=True)
    for n, page in enumerate(pages[1:], 2):
        first = next(line for line in page.splitlines() if line.strip()).strip()
        assert first == f"- {thai_digits(str(n))} -", (n, first)


def test_a_heading_left_at_a_page_foot_goes_to_the_next_page_in_the_loaded_document(
    built_examples, converter, monkeypatch
):
    """LibreOffice 25.2 leaves elderly-database-grant's "ข้อ ๑" heading and its lead-in at the foot of page 1 despite
    keep-with-next; the page break goes before the chain in the document LibreOffice still holds (one load), and
    where the chain is not found there (or LibreOffice refuses a call) the copy with its page break is loaded again:
    the same pages each way, and no page ends with the chain."""
    from pipeline.render import lodoc
    from pipeline.render.pagination import stranded
    from pipeline.render.pdftext import _parse

    docx = built_examples["elderly-database-grant"].docx.read_bytes()
    loads, breaks = [], []
    real_load, real_break = Converter._load, lodoc.break_in_place
    monkeypatch.setattr(Converter, "_load", lambda self, *a: loads.append(1) or real_load(self, *a))
    monkeypatch.setattr(lodoc, "break_in_place", lambda doc, s: breaks.append(s) or real_break(doc, s))
    in_place = converter.convert(docx)
    assert len(loads) == 1 and len(breaks) == 1 and breaks[0][0].page == 0  # the chain at page 1's foot, moved in place

    monkeypatch.setattr(lodoc, "break_in_place", lambda doc, s: breaks.append(s) and False)
    reloaded = converter.convert(docx)
    assert len(loads) == 3 and len(breaks) == 2  # not found in place: loaded again with the page break
    assert _parse(in_place).pages == _parse(reloaded).pages

    def fails(doc, strands):  # LibreOffice refusing a call (a page ending in a table, say): loaded again, not restarted
        breaks.append(strands)
        doc.Text.createTextCursorByRange(None)

    restarts = converter.restarts
    monkeypatch.setattr(lodoc, "break_in_place", fails)
    assert _parse(converter.convert(docx)).pages == _parse(in_place).pages
    assert len(loads) == 5 and len(breaks) == 3 and converter.restarts == restarts
    copy = for_libreoffice(docx, fallback_font=False, joiners_after_marks=True)
    assert not stranded(in_place, copy)
    first = _parse(in_place).pages[0].strip().splitlines()[-1]
    assert "วัตถุประสงค์" not in first, first


def test_a_warm_up_that_fails_costs_the_next_conversion_nothing(built_examples):
    """Converter.warm_up converts a first document on a thread while a worker loads (a new LibreOffice's first
    document costs it a quarter of a second more than the next). What it meets there (here a DOCX whose body is not
    XML, which LibreOffice refuses) is not raised on its thread; the next conversion waits for it, then converts."""
    import io
    import zipfile

    from pipeline.render.pdf import Converter

    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z, zipfile.ZipFile(built_examples["inclusive-care"].docx) as good:
        for item in good.infolist():
            z.writestr(item, b"<w:document" if item.filename == "word/document.xml" else good.read(item))
    docx = built_examples["elderly-database-grant"].docx.read_bytes()
    with Converter() as c:
        c.launch()
        c.warm_up(broken.getvalue())
        pdf = c.convert(docx)
        assert c._warming is None and c.restarts == 0 and pdf.startswith(b"%PDF")
