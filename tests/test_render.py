import io
import re
import zipfile

from docx import Document

from pipeline.documents.agreement import assemble
from pipeline.documents.check import load_spec
from pipeline.render.docx import read_properties, render_docx
from pipeline.spec.settings import Settings

from conftest import EXAMPLES

RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]


def render(library, name="inclusive-care"):
    _, spec = load_spec(EXAMPLES / f"{name}.yaml", Settings(), library)
    a = assemble(spec, Settings(), library)
    return render_docx(a, library, {"spec_hash": "h", "model": spec.model}, spec.signing.date)


def test_byte_identical(library):
    assert render(library) == render(library)


def test_official_format(library):
    data = render(library)
    doc = Document(io.BytesIO(data))
    sec = doc.sections[0]
    assert round(sec.page_width.cm, 1) == 21.0 and round(sec.page_height.cm, 1) == 29.7
    assert round(sec.left_margin.cm, 1) == 3.0 and round(sec.right_margin.cm, 1) == 2.0
    assert sec.different_first_page_header_footer
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.S).group(0)
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert f'w:{slot}="TH Sarabun New"' in defaults
    assert '<w:sz w:val="32"/>' in defaults and '<w:szCs w:val="32"/>' in defaults
    assert 'w:bidi="th-TH"' in defaults
    header = "".join(
        zipfile.ZipFile(io.BytesIO(data)).read(n).decode()
        for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
        if "header" in n
    )
    assert "PAGE" in header


def test_headings_are_heading_styles(library):
    doc = Document(io.BytesIO(render(library)))
    headings = [p.text for p in doc.paragraphs if p.style.name in ("Heading 1", "MOU Annex Heading")]
    assert "ข้อ ๑ วัตถุประสงค์" in headings and "ภาคผนวก ข ข้อตกลงระดับการให้บริการ" in headings  # lettered in document order
    assert len(doc.tables) >= 4  # instalments, signatures, witnesses, indicators, SLA


def test_run_properties_in_schema_order(library):
    data = render(library, "child-protection-commissioning")
    z = zipfile.ZipFile(io.BytesIO(data))
    for name in ("word/styles.xml", "word/document.xml"):
        xml = z.read(name).decode()
        for rpr in re.findall(r"<w:rPr>(.*?)</w:rPr>", xml, re.S):
            tags = [t for t in re.findall(r"<w:(\w+)", rpr) if t in RPR_ORDER]
            assert tags == sorted(tags, key=RPR_ORDER.index), (name, tags)


def test_provenance_properties(library):
    assert read_properties(render(library)) == {"spec_hash": "h", "model": "performance"}
