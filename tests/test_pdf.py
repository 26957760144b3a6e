import io
import os
import signal
import zipfile

import pytest

from pipeline.errors import ConvertError
from pipeline.pdf import Converter, for_libreoffice


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
