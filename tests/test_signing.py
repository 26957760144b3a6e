"""Issue 22: digital signatures. A final PDF holds one empty signature field per signatory and witness; `mou sign`
signs them in turn (PAdES B-B, B-T with a local RFC 3161 server) as incremental updates; `mou verify` names what is
still unsigned, then passes with --trust; poppler's pdfsig agrees; PDF/A-2b is kept; a tampered copy fails; each
refusal of `mou sign` is a clear message and exit 1. No network: the CA, the certificates and the time-stamp server
are made here."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import pytest
from pki import NOW, TimeStampServer, assert_validators_agree, make_ca

from pipeline.render.fields import field_roles
from pipeline.signing.pdfa import pdfa_problems

from conftest import EXAMPLE_FILES, mou_run

ROLES = ["delegator", "partner", "supporter:มูลนิธิคุ้มครองเด็กตัวอย่าง", "witness:1", "witness:2"]


@pytest.fixture(scope="module")
def final(tmp_path_factory, library, settings, converter):
    """child-protection-commissioning: a delegator, a partner, a signing supporter and two witnesses."""
    from pipeline.api import build

    out = tmp_path_factory.mktemp("final")
    spec = next(f for f in EXAMPLE_FILES if f.stem == "child-protection-commissioning")
    built = build(spec, out, library, settings, converter)
    draft = build(spec, tmp_path_factory.mktemp("draft"), library, settings, converter, draft=True)
    return built.pdf, draft.pdf


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    ca = make_ca(folder)
    tsa = TimeStampServer(ca)
    yield ca, tsa
    tsa.close()


def mou(*args, password: str = "secret"):
    """`mou ARGS` through the suite's one runner (conftest.mou_run); after each `mou verify` of a signed file,
    poppler's pdfsig and a separate pyHanko must agree with it on each signature's integrity (a tampered file
    included). (exit code, what it printed)."""
    result = mou_run(*args, input=password + "\n")
    said = result.stdout + result.stderr
    if args[0] == "verify" and result.returncode in (0, 1) and "no signature yet" not in said:
        assert_validators_agree(Path(args[1]), said)
    return result.returncode, said


def test_a_final_pdf_has_one_empty_field_per_signatory_over_its_line_and_a_draft_has_none(final):
    pdf, draft = final
    assert field_roles(pdf) == ROLES
    assert field_roles(draft) == []
    assert pdfa_problems(pdf.read_bytes()) == []
    with pikepdf.open(pdf) as doc:
        pages = [p.objgen for p in doc.pages]
        widgets = {str(f.T): (pages.index(f.P.objgen), [float(x) for x in f.Rect]) for f in doc.Root.AcroForm.Fields}
    # two abreast: the delegator's on the left, the partner's on the right, level; the supporter's below them
    (p1, d), (p2, p), (p3, s) = widgets["delegator"], widgets["partner"], widgets[ROLES[2]]
    assert p1 == p2 == p3 and d[1] == p[1] and d[0] < 300 < p[0] and s[1] < d[1]
    # each on its dotted line, above it (issue 31: the appearance sits above the line, not across it): poppler finds
    # the dots starting where the field starts, the field's bottom within the dots' box and its top well above it
    words = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(p1 + 1), "-l", str(p1 + 1), str(pdf), "-"], capture_output=True, text=True
    ).stdout
    height = 841.89

    def box(line, key):
        return height - float(line.split(f'{key}="')[1].split('"')[0])

    for x0, y0, _x1, y1 in (d, p, s):
        assert any(
            f'xMin="{x0:.6f}"' in line
            and "....." in line
            and box(line, "yMax") <= y0 <= box(line, "yMin")
            and y1 >= box(line, "yMin") + 5
            for line in words.splitlines()
        ), (x0, y0)


def test_every_field_signed_in_turn_then_verified(final, pki, tmp_path):
    pdf, _ = final
    ca, tsa = pki
    current = pdf
    for n, role in enumerate(ROLES):
        cert = ca.issue(f"Signer {n}")
        out = tmp_path / f"signed-{n}.pdf"
        stamp = ["--timestamp", tsa.url] if n == 0 else []
        code, said = mou("sign", current, "--cert", cert, "--as", role, "--out", out, "--reason", "ลงนาม", *stamp)
        assert code == 0, said
        assert role in said and ("B-T" in said) == (n == 0)
        # an incremental update: the file before is a prefix of the file after
        assert out.read_bytes().startswith(current.read_bytes())
        if n == 1:  # part-way: exit 1, naming the fields still unsigned
            code, said = mou("verify", out)
            assert code == 1
            assert all(f"not yet signed: {r}" in said for r in ROLES[2:]) and "not yet signed: delegator" not in said
        current = out
    code, said = mou("verify", current, "--trust", ca.pem)
    assert code == 0, said
    for n, role in enumerate(ROLES):
        assert f"OK {role}: Signer {n}" in said
    assert (
        "(time-stamped)" in said and said.count("), intact, ") == len(ROLES) and said.count(", trusted,") == len(ROLES)
    )
    with pikepdf.open(pdf) as doc:
        spec_hash = str(doc.docinfo["/MouSpecHash"])
    assert f"spec hash: {spec_hash}" in said
    # another CA: intact but not trusted, exit 1
    other = make_ca(tmp_path, "Another CA")
    code, said = mou("verify", current, "--trust", other.pem)
    assert code == 1 and "NOT trusted" in said
    # poppler agrees: every signature valid
    pdfsig = subprocess.run(["pdfsig", str(current)], capture_output=True, text=True).stdout
    assert pdfsig.count("Signature Validation: Signature is Valid.") == len(ROLES), pdfsig
    assert "not signed" not in pdfsig
    # PDF/A-2b kept: the identification, fonts embedded, appearances, no actions, information and XMP agreeing
    assert pdfa_problems(current.read_bytes()) == []
    # and pikepdf's validator finds nothing but what it does not check — the form, and the certification's /Perms
    # (PDF/A-2 allows a DocMDP entry there) — and no PDF 2.0 version from the ECDSA keys
    report = pikepdf.pdfa.validate_written(str(current), "2b")
    assert {(f.rule, str(f).split(": ")[-1]) for f in report.findings} == {
        ("pikepdf:schema-Catalog", "interactive forms (/AcroForm) are not supported"),
        ("pikepdf:schema-Catalog", "permissions (/Perms) are not supported"),
    }, [str(f) for f in report.findings]
    # the first signature certified the document: form filling and signing allowed, nothing else (DocMDP P 2)
    with pikepdf.open(current) as doc:
        docmdp = doc.Root.Perms.DocMDP
        assert docmdp.Reference[0].TransformMethod == "/DocMDP" and int(docmdp.Reference[0].TransformParams.P) == 2
        first = next(f for f in doc.Root.AcroForm.Fields if str(f.T) == ROLES[0])
        assert first.V.objgen == docmdp.objgen  # the delegator's, the first signed
    # one byte changed inside the signed range: verify fails
    data = bytearray(current.read_bytes())
    at = data.index(b"/Type /Page") if b"/Type /Page" in data else len(data) // 3
    data[at + 1] = ord("X") if data[at + 1] != ord("X") else ord("Y")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    code, said = mou("verify", tampered, "--trust", ca.pem)
    assert code == 1, said


def test_pdfa_checks_catch_what_signing_can_break(final, tmp_path):
    pdf, _ = final
    with pikepdf.open(pdf) as doc:
        doc.Root.AcroForm.NeedAppearances = True
        del doc.Root.AcroForm.Fields[0].AP
        doc.docinfo["/Producer"] = "something else"
        bad = tmp_path / "bad.pdf"
        doc.save(bad)
    said = " ".join(pdfa_problems(bad.read_bytes()))
    assert "NeedAppearances" in said and "no appearance stream" in said and "/Producer" in said


@pytest.mark.parametrize("case", ["no field", "already signed", "wrong password", "expired", "draft", "not ours"])
def test_sign_refuses(case, final, pki, tmp_path):
    pdf, draft = final
    ca, _ = pki
    cert = ca.issue("Refused Signer")
    target, role, password = pdf, "delegator", "secret"
    if case == "no field":
        role = "supporter:ใครก็ไม่รู้"
    elif case == "already signed":
        first = tmp_path / "first.pdf"
        assert mou("sign", pdf, "--cert", cert, "--as", "delegator", "--out", first)[0] == 0
        target = first
    elif case == "wrong password":
        password = "not the password"
    elif case == "expired":
        cert = ca.issue("Expired Signer", not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=1))
    elif case == "draft":
        target = draft
    elif case == "not ours":
        target = tmp_path / "other.pdf"
        with pikepdf.open(pdf) as doc:
            for key in [k for k in doc.docinfo.keys() if k.startswith("/Mou")]:
                del doc.docinfo[key]
            doc.save(target)
    out = tmp_path / "out.pdf"
    code, said = mou("sign", target, "--cert", cert, "--as", role, "--out", out, password=password)
    assert code == 1, said
    assert "Traceback" not in said and not out.exists()
    expected = {
        "no field": "has no signature field for supporter:ใครก็ไม่รู้",
        "already signed": "already signed",
        "wrong password": "wrong password",
        "expired": "expired on",
        "draft": "is a draft",
        "not ours": "not a final PDF made by this tool",
    }[case]
    assert expected in said and "ลงนามไม่ได้" in said


def test_sla_and_amendment_finals_have_their_fields(tmp_path, library, settings, converter):
    """The amendment is signed by the agreement's signatories and witnesses too (the SLA of year N: test_web)."""
    from pipeline.api import build_amendment

    src = next(f for f in EXAMPLE_FILES if f.stem == "universal-design-nonthaburi")
    text = src.read_text(encoding="utf-8")
    signed = tmp_path / "design.yaml"
    signed.write_text(text + "\nsigned:\n  date: 2024-06-10\n", encoding="utf-8")
    new = tmp_path / "design-2.yaml"
    new.write_text(text.replace("จังหวัดนนทบุรี", "(ระยะที่ ๒)", 1), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    build_amendment(signed, new, out, library, settings, converter, 1, dt.date(2024, 9, 1))
    amendment = next(out.glob("*.amendment-1.pdf"))
    assert field_roles(amendment) == ["delegator", "partner", "witness:1", "witness:2"]
    assert pdfa_problems(amendment.read_bytes()) == []
    shutil.rmtree(out)


def test_a_pkcs11_token_signs_with_its_pin(final, pki, tmp_path, monkeypatch):
    """SoftHSM as the token: the key made on it never leaves it; a wrong PIN is refused like a wrong password."""
    from pki import softhsm_token

    pdf, _ = final
    ca, _ = pki
    monkeypatch.setenv("SOFTHSM2_CONF", str(tmp_path / "softhsm2.conf"))
    lib = softhsm_token(tmp_path, ca, "director", "Token Holder")
    out = tmp_path / "token-signed.pdf"
    code, said = mou(
        "sign", pdf, "--pkcs11-lib", lib, "--key-label", "director", "--as", "delegator", "--out", out, password="0000"
    )
    assert code == 1 and "PIN" in said and not out.exists()
    code, said = mou(
        "sign", pdf, "--pkcs11-lib", lib, "--key-label", "director", "--as", "delegator", "--out", out, password="1234"
    )
    assert code == 0, said
    code, said = mou("verify", out, "--trust", ca.pem)
    assert "OK delegator: Token Holder" in said and "not yet signed: partner" in said
    code, said = mou("sign", pdf, "--cert", out, "--pkcs11-lib", lib, "--as", "delegator", "--out", out)
    assert code == 2  # both, or a library without a label: a usage error
