"""Issue 31, point 1: nothing but signing after the build. The first signature certifies the document (DocMDP:
filling in and signing the fields, nothing else); `mou verify` names a signature field that the built document did
not have, and, given the office's record (a `mou batch` output folder or a workspace, found by default when the PDF
lies in one), checks that the file before the first signature is a final the record holds. The two forgeries an
expert made — a fifth field over the budget signed with a trusted certificate, and an overlay added to the unsigned
final before it was signed — exit 1 with the reason in Thai and English. A real batch, a real CA, real pyHanko."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from pki import assert_validators_agree, make_ca

from pipeline.library.clauses import PROJECT_ROOT
from pipeline.run.manifest import MANIFEST_NAME

from conftest import EXAMPLES, mou_run

NAME = "elderly-database-grant"  # two signatories and two witnesses
ROLES = ["delegator", "partner", "witness:1", "witness:2"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A real `mou batch` of one example: its final PDF and the manifest that records the final's sha256."""
    root = tmp_path_factory.mktemp("forgeries")
    specs, out = root / "specs", root / "out"
    specs.mkdir()
    shutil.copy(EXAMPLES / f"{NAME}.yaml", specs)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "batch", str(specs), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / MANIFEST_NAME).is_file()
    return out, make_ca(root)


def mou(*args):
    """`mou ARGS` through the suite's one runner (conftest.mou_run); after each `mou verify` of a signed file,
    poppler's pdfsig and a separate pyHanko must agree with it on each signature's integrity. (exit code, what it
    printed)."""
    result = mou_run(*args, input="secret\n")
    said = result.stdout + result.stderr
    if args[0] == "verify" and result.returncode in (0, 1) and "no signature yet" not in said:
        assert_validators_agree(Path(args[1]), said)
    return result.returncode, said


def sign_all(ca, pdf, folder, roles=ROLES):
    current = pdf
    for n, role in enumerate(roles):
        out = folder / f"{pdf.stem}.signed-{n}.pdf"
        code, said = mou("sign", current, "--cert", ca.issue(f"Signer {n}"), "--as", role, "--out", out)
        assert code == 0, said
        current = out
    return current


def test_the_final_as_built_and_signed_by_all_verifies_against_the_record(batch, tmp_path):
    out, ca = batch
    signed = sign_all(ca, out / f"{NAME}.pdf", tmp_path)
    code, said = mou("verify", signed, "--trust", ca.pem, "--record", out)
    assert code == 0, said
    assert "the file before the first signature is the final as built" in said
    assert "added after the build" not in said


def test_a_new_signature_field_over_the_budget_is_named_and_fails(batch, tmp_path):
    """After every signature, an incremental update adds a field witness:3 over the budget and signs it with a
    certificate the office trusts: pyHanko and pdfsig accept approval signatures that create fields; mou does not."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    out, ca = batch
    signed = sign_all(ca, out / f"{NAME}.pdf", tmp_path)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()), strict=False)
    fields.append_signature_field(writer, fields.SigFieldSpec("witness:3", on_page=2, box=(90, 500, 400, 540)))
    signer = signers.SimpleSigner.load_pkcs12(str(ca.issue("Forger")), passphrase=b"secret")
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(
        signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="witness:3"), signer=signer).getvalue()
    )
    code, said = mou("verify", forged, "--trust", ca.pem, "--record", out)
    assert code == 1, said
    assert "signature field witness:3 was added after the build" in said
    assert "ช่องลงนาม witness:3 ถูกเพิ่มหลังจากสร้างเอกสาร" in said
    assert "fields added after the build: witness:3" in said


def test_a_final_edited_before_it_was_signed_fails_against_the_record(batch, tmp_path):
    """A white box drawn over a page of the unsigned final (its provenance kept), then signed by everyone: every
    signature is intact, but the file before the first signature is not the final the batch recorded."""
    out, ca = batch
    edited = out / f"{NAME}.edited.pdf"  # beside the record: found without --record
    with pikepdf.open(out / f"{NAME}.pdf") as doc:
        page = doc.pages[2]
        page.contents_add(doc.make_stream(b"q 1 1 1 rg 90 500 310 40 re f Q"), prepend=False)
        doc.save(edited)
    signed = sign_all(ca, edited, out)
    code, said = mou("verify", signed, "--trust", ca.pem)
    assert code == 1, said
    assert "the file before the first signature is not a final the record holds" in said
    assert "it was changed before it was signed" in said and "ถูกแก้ไขก่อนลงนาม" in said
    # the same file elsewhere, with no record near it and none given: not checked, so that line is absent
    alone = tmp_path / "alone.pdf"
    shutil.copy(signed, alone)
    code, said = mou("verify", alone, "--trust", ca.pem)
    assert code == 0 and "record holds" not in said, said
    code, said = mou("verify", alone, "--trust", ca.pem, "--record", out)
    assert code == 1 and "changed before it was signed" in said


# -- issue 31, point 2: identity ----------------------------------------------------------------------------------


def test_without_a_trusted_ca_no_identity_is_verified_and_an_impostor_fails(batch, tmp_path):
    """A self-signed impostor in the director's name: intact, but without a trust list nobody's identity is verified
    (exit 1); with the office's CA in the settings the real signers pass and the impostor is NOT trusted."""
    out, ca = batch
    signed = sign_all(ca, out / f"{NAME}.pdf", tmp_path)
    code, said = mou("verify", signed, "--record", out)
    assert code == 1 and said.count("identity not verified") == len(ROLES), said
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"trust: [{ca.pem}]\n", encoding="utf-8")
    code, said = mou("verify", signed, "--record", out, "--settings", settings)
    assert code == 0 and said.count(", trusted,") == len(ROLES), said
    impostor_ca = make_ca(tmp_path, "Department of Older Persons")  # a CA of their own, in the agency's name
    (tmp_path / "impostor").mkdir()
    forged = sign_all(impostor_ca, out / f"{NAME}.pdf", tmp_path / "impostor")
    code, said = mou("verify", forged, "--record", out, "--settings", settings)
    assert code == 1 and "NOT trusted" in said, said


def test_a_certificate_not_for_signing_is_refused_before_anything_is_written(batch, tmp_path):
    out, ca = batch
    target = tmp_path / "never.pdf"
    code, said = mou(
        "sign",
        out / f"{NAME}.pdf",
        "--cert",
        ca.issue("Key Agreement Only", signs=False),
        "--as",
        "delegator",
        "--out",
        target,
    )
    assert code == 1 and "is not issued for signing" in said and "ไม่ได้ออกให้ใช้ลงลายมือชื่อ" in said, said
    assert not target.exists()


def test_a_time_stamp_from_an_authority_the_office_does_not_trust_fails(batch, tmp_path):
    from pki import TimeStampServer

    out, ca = batch
    rogue = TimeStampServer(make_ca(tmp_path, "Rogue TSA Root"))
    try:
        first = tmp_path / "stamped.pdf"
        code, said = mou(
            "sign",
            out / f"{NAME}.pdf",
            "--cert",
            ca.issue("Signer 0"),
            "--as",
            "delegator",
            "--out",
            first,
            "--timestamp",
            rogue.url,
        )
        assert code == 0, said
    finally:
        rogue.close()
    signed = sign_all(ca, first, tmp_path, ROLES[1:])
    code, said = mou("verify", signed, "--trust", ca.pem, "--record", out)
    assert code == 1 and "time stamp from an authority that is NOT trusted" in said, said


def test_a_final_extended_to_b_lta_by_pyhanko_verifies(batch, tmp_path):
    """An archive extends a correctly signed final: each signature's validation data (DSS), then a document time
    stamp (PAdES B-LTA), both by pyHanko itself. It used to fail ("Signature object type must be /Sig"); the time
    stamp is now checked as one, against the same trust list, and poppler's pdfsig agrees on every signature."""
    from pki import TimeStampServer
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers, timestamps
    from pyhanko.sign.validation import add_validation_info
    from pyhanko_certvalidator import ValidationContext

    out, ca = batch
    signed = sign_all(ca, out / f"{NAME}.pdf", tmp_path)
    tsa = TimeStampServer(ca)
    try:
        context = ValidationContext(
            trust_roots=list(load_certs_from_pemder([str(ca.pem)])), allow_fetching=False, revocation_mode="soft-fail"
        )
        data = signed.read_bytes()
        for n in range(len(ROLES)):
            data = add_validation_info(PdfFileReader(io.BytesIO(data)).embedded_signatures[n], context).getvalue()
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        stamper = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(tsa.url))
        archived = tmp_path / "archived.pdf"
        archived.write_bytes(stamper.timestamp_pdf(writer, "sha256", validation_context=context).getvalue())
    finally:
        tsa.close()
    code, said = mou("verify", archived, "--trust", ca.pem, "--record", out)
    assert code == 0, said
    assert "OK document time stamp (B-LTA): Test TSA" in said and said.count("), intact, trusted,") == len(ROLES)
    assert "added after the build" not in said
    pdfsig = subprocess.run(["pdfsig", str(archived)], capture_output=True, text=True).stdout
    # poppler agrees on every signatory's signature (it has no notion of a document time stamp: "type unknown")
    assert pdfsig.count("Signature Validation: Signature is Valid.") == len(ROLES), pdfsig
    assert "Signature Field Name: Timestamp-" in pdfsig


# -- issue 31, point 3: long-term ----------------------------------------------------------------------------------


def test_signed_with_ltv_then_archived_twice_verifies_and_stays_pdfa(batch, tmp_path):
    """`mou sign --ltv` (the signer's validation data at signing, time-stamped: B-LT), then `mou archive` (every
    signature's validation data and a document time stamp: B-LTA), then `mou archive` again, as an archive does
    before the last time stamp's certificate expires: every step verifies and keeps PDF/A-2b, and pyHanko's own
    long-term validation (ETSI EN 319 102-1 §5.6.3, the chain of document time stamps as the evidence record)
    passes every signature."""
    from pki import CrlServer, TimeStampServer

    from pipeline.signing.pdfa import pdfa_problems

    out, _ = batch
    ca = make_ca(tmp_path, "CA with a CRL")  # certificates that say where their revocation is, as real ones do
    crl = CrlServer(ca)
    tsa = TimeStampServer(ca, crl_url=crl.url)
    try:
        current = out / f"{NAME}.pdf"
        for n, role in enumerate(ROLES):
            signed = tmp_path / f"ltv-{n}.pdf"
            code, said = mou(
                "sign", current, "--cert", ca.issue(f"Signer {n}", crl_url=crl.url), "--as", role, "--out", signed,
                "--timestamp", tsa.url, "--ltv", "--trust", ca.pem,
            )  # fmt: skip
            assert code == 0 and "PAdES B-LT" in said, said
            current = signed
        for step in (1, 2):
            archived = tmp_path / f"archived-{step}.pdf"
            code, said = mou("archive", current, "--timestamp", tsa.url, "--out", archived, "--trust", ca.pem)
            assert code == 0 and "PAdES B-LTA" in said, said
            assert archived.read_bytes().startswith(current.read_bytes())  # incremental: nothing signed is touched
            code, said = mou("verify", archived, "--trust", ca.pem, "--record", out)
            assert code == 0, said
            assert said.count("OK document time stamp (B-LTA)") == step and "added after the build" not in said
            assert pdfa_problems(archived.read_bytes()) == []
            current = archived
            time.sleep(1.1)  # the next archive's CRL is issued after this one's time stamp, as a real CA's later CRL is
    finally:
        tsa.close()
        crl.close()
    with pikepdf.open(current) as doc:
        assert "/DSS" in doc.Root and len(doc.Root.DSS.Certs) >= 2  # the chains, for validation years from now
        assert len(doc.Root.DSS.CRLs) >= 2
    assert long_term_valid(current, ca) == {role: "AdESPassed.OK" for role in ROLES}
    code, said = mou(
        "sign", out / f"{NAME}.pdf", "--cert", ca.issue("X"), "--as", "delegator", "--out", tmp_path / "x.pdf", "--ltv"
    )
    assert code == 2 and "--ltv needs the CA certificates" in said  # no trust list: refused before anything


def long_term_valid(pdf: Path, ca) -> dict[str, str]:
    """pyHanko's AdES long-term validation (B-LTA) of each signature, with the CA as the only trust anchor and the
    revocation that each certificate declares checked: its verdict by field."""
    import asyncio

    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import ades
    from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec, SignatureValidationSpec
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
    from pyhanko_certvalidator.registry import SimpleTrustManager

    declared = RevocationCheckingRule.CHECK_IF_DECLARED
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=[load_cert_from_pemder(str(ca.pem))]),
                revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(declared, declared)),
            )
        )
    )
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()))
    return {
        str(sig.field_name): str(asyncio.run(ades.ades_lta_validation(sig, spec)).ades_subindic)
        for sig in reader.embedded_regular_signatures
    }


def test_signatures_whose_certificates_expired_since_verify_at_the_time_their_stamps_prove(batch, tmp_path):
    """Years later the last signer's certificate has expired: a time-stamped signature with its revocation data in
    the file (B-LT, then archived: B-LTA) is validated at the time its time stamp proves, and passes; one without a
    time stamp proves no time, and fails. (Certificates valid for a few seconds stand in for years.)"""
    import datetime as dt

    from pki import CrlServer, TimeStampServer

    out, _ = batch
    ca = make_ca(tmp_path, "CA with a CRL")
    crl = CrlServer(ca)
    tsa = TimeStampServer(ca, crl_url=crl.url)
    try:
        # the last signer's certificate, and another one's, run out a few seconds after they are issued: as soon
        # as the last two signatures and the archive time stamp can be made on this machine (three times the time
        # the first signatures took, and two seconds more), so that the test waits as little as it can
        current = out / f"{NAME}.pdf"
        started = time.monotonic()
        for n, role in enumerate(ROLES):
            if role == ROLES[-1]:
                each = (time.monotonic() - started) / n
                until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3 * 3 * each + 2 + 1.1)
                short = ca.issue(f"Signer {len(ROLES) - 1}", crl_url=crl.url, not_after=until)
                unstamped_cert = ca.issue("Signer without a stamp", crl_url=crl.url, not_after=until)
            signed = tmp_path / f"short-{n}.pdf"
            cert = short if role == ROLES[-1] else ca.issue(f"Signer {n}", crl_url=crl.url)
            code, said = mou(
                "sign", current, "--cert", cert, "--as", role, "--out", signed,
                "--timestamp", tsa.url, "--ltv", "--trust", ca.pem,
            )  # fmt: skip
            assert code == 0, said
            current = signed
        unstamped = tmp_path / "unstamped.pdf"
        code, said = mou("sign", out / f"{NAME}.pdf", "--cert", unstamped_cert, "--as", "delegator", "--out", unstamped)
        assert code == 0, said
        time.sleep(1.1)
        archived = tmp_path / "archived.pdf"
        code, said = mou("archive", current, "--timestamp", tsa.url, "--out", archived, "--trust", ca.pem)
        assert code == 0, said
        assert dt.datetime.now(dt.UTC) < until, "signing took longer than the certificate's few seconds"
        time.sleep(max(0.0, (until - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
        code, said = mou("verify", archived, "--trust", ca.pem, "--record", out)
        assert code == 0, said
        assert said.count("trusted at the time its time stamp proves") == 1, said
        assert f"OK {ROLES[-1]}: Signer 3" in said and "เชื่อถือได้ ณ เวลาที่ตราประทับเวลายืนยัน" in said
        code, said = mou("verify", unstamped, "--trust", ca.pem, "--record", out)
        assert code == 1 and "FAIL delegator: Signer without a stamp" in said and "NOT trusted" in said, said
    finally:
        tsa.close()
        crl.close()


def test_a_revoked_certificate_is_named_revoked(batch, tmp_path):
    """The signers' certificates name a CRL distribution point served by a local server; the CRL is fetched at
    verification: the same file verifies, then fails once the CA has revoked the partner's certificate."""
    from pki import CrlServer

    out, _ = batch
    ca = make_ca(tmp_path, "CA with a CRL")
    crl = CrlServer(ca)
    try:
        current = out / f"{NAME}.pdf"
        for n, role in enumerate(ROLES):
            signed = tmp_path / f"r-{n}.pdf"
            cert = ca.issue(f"Signer {n}", crl_url=crl.url)
            code, said = mou("sign", current, "--cert", cert, "--as", role, "--out", signed)
            assert code == 0, said
            current = signed
        code, said = mou("verify", current, "--trust", ca.pem, "--record", out)
        assert code == 0 and "REVOKED" not in said, said
        ca.revoke("Signer 1")  # the partner's
        code, said = mou("verify", current, "--trust", ca.pem, "--record", out)
        assert code == 1, said
        assert "FAIL partner: Signer 1" in said and "certificate REVOKED" in said and "ใบรับรองถูกเพิกถอนแล้ว" in said
        assert "OK delegator: Signer 0" in said
    finally:
        crl.close()


def test_a_certificate_revoked_through_ocsp_is_named_revoked(batch, tmp_path):
    """The signers' certificates name an OCSP responder (no CRL): it is asked at verification, and a certificate the
    CA has revoked since is named revoked; the others still pass."""
    from pki import OcspServer

    out, _ = batch
    ca = make_ca(tmp_path, "CA with OCSP")
    responder = OcspServer(ca)
    try:
        current = out / f"{NAME}.pdf"
        for n, role in enumerate(ROLES):
            signed = tmp_path / f"o-{n}.pdf"
            code, said = mou(
                "sign",
                current,
                "--cert",
                ca.issue(f"Signer {n}", ocsp_url=responder.url),
                "--as",
                role,
                "--out",
                signed,
            )
            assert code == 0, said
            current = signed
        code, said = mou("verify", current, "--trust", ca.pem, "--record", out)
        assert code == 0 and "REVOKED" not in said, said
        asked = responder.requests
        assert asked >= len(ROLES)  # the responder was asked about each signer
        ca.revoke("Signer 2")  # witness:1's
        code, said = mou("verify", current, "--trust", ca.pem, "--record", out)
        assert code == 1, said
        assert "FAIL witness:1: Signer 2" in said and "certificate REVOKED" in said and "ใบรับรองถูกเพิกถอนแล้ว" in said
        assert "OK partner: Signer 1" in said and responder.requests > asked
    finally:
        responder.close()
