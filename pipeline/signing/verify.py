"""`mou verify`: each signature of a PDF checked with pyHanko — its role (the field's name), who signed (the
certificate's subject), when (and whether a time stamp vouches for it), intact or not, trusted or not against the
CA certificates given, and whether the document was changed after it in a way the signature does not allow (a later
signature in another field is allowed; anything else is not) — then the fields still unsigned, and the spec hash
the PDF carries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.render.pdfmeta import read_pdf_metadata

if TYPE_CHECKING:  # pyHanko is imported where it is used: `mou --help` and `mou obligations` never load it
    from asn1crypto.x509 import Certificate
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import PdfSignatureStatus
    from pyhanko_certvalidator import ValidationContext

LangDate = Callable[[dt.datetime], str]  # a moment in words, in the report's language


@dataclass(frozen=True)
class Signature:
    role: str
    subject: str
    time: dt.datetime | None
    timestamped: bool
    intact: bool
    trusted: bool | None  # None: no CA given, so the signer's identity is not verified
    changed_after: bool  # a change after signing that the signature does not allow
    problem: str = ""
    stamp_trusted: bool | None = None  # the time stamp's authority chains to a trusted CA (None: no stamp, or no CA)
    revoked: bool = False  # the signer's certificate (or a CA above it) is revoked
    proven_at: dt.datetime | None = None  # validated at this time, which a time stamp proves (its certificate expired)

    @property
    def ok(self) -> bool:
        """Intact, unchanged after, its signer's identity verified against a trusted CA, and a time stamp, where
        there is one, from a trusted authority."""
        return (
            self.intact
            and not self.changed_after
            and self.trusted is True
            and self.stamp_trusted is not False
            and not self.revoked
        )

    @property
    def verdict(self) -> tuple[str, str]:
        """The word a report line starts with: passed; sound but its signer's identity not verified, because no
        trusted CA was given (an office without a trust list sees that, not a failure of a good signature); failed."""
        if self.ok:
            return "ผ่าน", "OK"
        if self.trusted is None and self.intact and not self.changed_after and not self.revoked:
            if self.stamp_trusted is not False:
                return "ยังไม่ยืนยันตัวตน", "UNVERIFIED"
        return "ไม่ผ่าน", "FAIL"


@dataclass
class Report:
    path: Path
    signatures: list[Signature] = field(default_factory=list)
    unsigned: list[str] = field(default_factory=list)
    spec_hash: str = ""
    unreadable: str = ""
    added: list[str] = field(default_factory=list)  # signature fields that were not in the document as built
    stamps: list[Signature] = field(default_factory=list)  # document time stamps (PAdES B-LTA), in file order
    before_first: str = ""  # sha256 of the file as it was before the first signature (the final as built)
    built: bool | None = None  # that file is a final the record names (None: no record to compare with)

    @property
    def ok(self) -> bool:
        return (
            not self.unreadable
            and not self.unsigned
            and not self.added
            and self.built is not False
            and bool(self.signatures)
            and all(s.ok for s in self.signatures)
            and all(s.intact and s.trusted is not False for s in self.stamps)
        )


def before_first_signature(pdf: bytes, first: EmbeddedPdfSignature) -> bytes:
    """The file as it was before its first signature: the signatures are incremental updates, so it is the prefix
    that ends with the %%EOF (and its end of line) before the first signature's update."""
    start = first.byte_range[1]  # where the signature's /Contents begin: inside the first update
    end = pdf.rfind(b"%%EOF", 0, start)
    if end < 0:
        return b""
    end += len(b"%%EOF")
    while end < len(pdf) and pdf[end : end + 1] in (b"\r", b"\n"):
        end += 1
    return pdf[:end]


def validation_context(trust: list[bytes]) -> ValidationContext:
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext

    roots = [c for pem in trust for c in load_certs_from_pemder_data(pem)]
    # revocation: what the certificates point to (CRL, OCSP) is fetched, and the data embedded in the file (DSS) read;
    # where nothing can be had (offline, no pointer) it is "unknown", not a failure (soft-fail), and a revoked
    # certificate is named as revoked
    return ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="soft-fail")


def _context_at(reader: PdfFileReader, trust: list[bytes], moment: dt.datetime) -> ValidationContext | None:
    """A validation context at a past moment, from what the file keeps (its DSS: certificates, CRLs, OCSP answers):
    revocation must be known from that data (hard-fail), and data issued after the moment counts (a CRL issued later
    that does not list the certificate shows it was not revoked then). None if the file keeps no such data."""
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None
    roots = [c for pem in trust for c in load_certs_from_pemder_data(pem)]
    return dss.as_validation_context(
        {
            "trust_roots": roots,
            "moment": moment,
            "allow_fetching": False,
            "revocation_mode": "hard-fail",
            "retroactive_revinfo": True,
        }
    )


def _proven_time(
    reader: PdfFileReader, sig: EmbeddedPdfSignature, status: PdfSignatureStatus, trust: list[bytes]
) -> dt.datetime | None:
    """The time a trusted time stamp proves for a signature not trusted today (its certificate has expired since), if
    the signer's certificate was valid and not revoked then by the data the file keeps (PAdES B-LT, B-LTA)."""
    from pyhanko.sign.validation import validate_pdf_signature

    stamp = status.timestamp_validity
    if not trust or status.trusted or stamp is None or not (stamp.intact and stamp.valid and stamp.trusted):
        return None
    context = _context_at(reader, trust, stamp.timestamp)
    if context is None:
        return None
    try:
        then = validate_pdf_signature(sig, signer_validation_context=context)
    except Exception:
        return None
    return stamp.timestamp if then.trusted and then.intact and then.valid else None


def signer_name(cert: Certificate) -> str:
    """The certificate's subject as a reader names a signer: common name, then organisation."""
    names = cert.subject.native
    cn, org = names.get("common_name", ""), names.get("organization_name", "")
    return f"{cn} ({org})" if cn and org else cn or cert.subject.human_friendly


def _built_fields(reader: PdfFileReader, first: EmbeddedPdfSignature) -> set[str]:
    """The signature fields of the document before its first signature, as the build made them."""
    from pyhanko.sign.fields import enumerate_sig_fields

    before = reader.get_historical_resolver(first.signed_revision - 1)
    return {str(name) for name, _, _ in enumerate_sig_fields(before, filled_status=None)}


def verify_pdf(pdf: bytes, path: Path, trust: list[bytes] | None = None, recorded: set[str] | None = None) -> Report:
    """`recorded`: the sha256 of the finals the office's record or a batch manifest keeps; the file before its first
    signature must be one of them."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import validate_pdf_signature

    for noisy in ("pyhanko", "pyhanko_certvalidator"):  # an untrusted path is our answer, not a traceback
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    report = Report(path)
    try:
        report.spec_hash = read_pdf_metadata(pdf).get("MouSpecHash", "")
        reader = PdfFileReader(io.BytesIO(pdf), strict=True)  # an archive reads strictly: a malformed file fails
        fields = [(name, value) for name, value, _ in enumerate_sig_fields(reader, filled_status=None)]
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # not a PDF, or one too damaged to read its signatures
        report.unreadable = f"{type(exc).__name__}: {exc}"
        return report
    report.unsigned = [str(name) for name, value in fields if value is None]
    # a document time stamp (an archive's B-LTA step) is not a signatory's signature: checked as a time stamp
    stamps = [e for e in embedded if e.sig_object_type == "/DocTimeStamp"]
    embedded = [e for e in embedded if e.sig_object_type != "/DocTimeStamp"]
    stamp_fields = {str(e.field_name) for e in stamps}
    if embedded:
        first = min(embedded, key=lambda e: e.signed_revision)
        try:
            built = _built_fields(reader, first)
        except Exception:  # a revision that cannot be read back: nothing can be said to be as built
            built = set()
        report.added = [str(name) for name, _ in fields if str(name) not in built | stamp_fields]
        report.before_first = hashlib.sha256(before_first_signature(pdf, first)).hexdigest()
        if recorded is not None:
            report.built = report.before_first in recorded
    context = validation_context(trust or [])
    report.stamps = _document_stamps(reader, stamps, context, trust or [])
    for sig in embedded:
        subject = ""
        try:
            subject = signer_name(sig.signer_cert)
            status = validate_pdf_signature(sig, signer_validation_context=context)
        except Exception as exc:  # a signature whose bytes were changed may not even parse
            report.signatures.append(
                Signature(
                    str(sig.field_name), subject, None, False, False, None if not trust else False, True, str(exc)
                )
            )
            continue
        proven = _proven_time(reader, sig, status, trust or [])
        level = status.modification_level
        changed = level not in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
        changed = changed or status.docmdp_ok is False
        stamp = status.timestamp_validity
        report.signatures.append(
            Signature(
                role=str(sig.field_name),
                subject=subject,
                time=stamp.timestamp if stamp is not None else status.signer_reported_dt,
                timestamped=stamp is not None and stamp.intact and stamp.valid and (not trust or stamp.trusted),
                intact=bool(status.intact and status.valid),
                trusted=bool(status.trusted or proven) if trust else None,
                changed_after=changed,
                stamp_trusted=bool(stamp.trusted) if stamp is not None and trust else None,
                revoked=bool(getattr(status, "revoked", False)),
                proven_at=proven,
            )
        )
    return report


def _document_stamps(
    reader: PdfFileReader, stamps: list[EmbeddedPdfSignature], context: ValidationContext | None, trust: list[bytes]
) -> list[Signature]:
    """The chain of document time stamps: the last checked today; one whose authority's certificate has expired since,
    at the time the next one proves (an archive renews the chain before the last certificate expires)."""
    checked = [_document_stamp(e, context, bool(trust)) for e in stamps]
    for i in range(len(checked) - 2, -1, -1):
        later = checked[i + 1]
        if checked[i].trusted is False and later.intact and later.trusted and later.time is not None:
            at = _context_at(reader, trust, later.time)
            if at is not None:
                again = _document_stamp(stamps[i], at, True)
                if again.intact and again.trusted:
                    checked[i] = dataclasses.replace(again, proven_at=later.time)
    return checked


def _document_stamp(stamp: EmbeddedPdfSignature, context: ValidationContext | None, trusted: bool) -> Signature:
    """A document time stamp checked against the same trust list: intact, and its authority trusted."""
    from pyhanko.sign.validation import validate_pdf_timestamp

    try:
        status = validate_pdf_timestamp(stamp, validation_context=context)
    except Exception as exc:
        return Signature(str(stamp.field_name), "", None, True, False, False if trusted else None, True, str(exc))
    return Signature(
        role=str(stamp.field_name),
        subject=signer_name(stamp.signer_cert),
        time=status.timestamp,
        timestamped=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted) if trusted else None,
        changed_after=False,
    )


def _signature_line(s: Signature, lang_date: LangDate) -> str:
    """One signature: its verdict, role, signer, time, time stamp, integrity, trust and later changes, in Thai and
    then English."""

    def yes_no(v: bool | None, th: tuple[str, str], en: tuple[str, str]) -> tuple[str, str]:
        return (th[0], en[0]) if v else (th[1], en[1])

    when = lang_date(s.time) if s.time else "—"
    stamp = ("มีตราประทับเวลา", "time-stamped") if s.timestamped else ("ไม่มีตราประทับเวลา", "not time-stamped")
    intact = yes_no(s.intact, ("ไม่ถูกแก้ไข", "ถูกแก้ไขหรือลายมือชื่อไม่ถูกต้อง"), ("intact", "NOT intact"))
    trusted = _trust_words(s, lang_date)
    changed = yes_no(
        s.changed_after,
        ("มีการแก้ไขภายหลังที่ลายมือชื่อไม่อนุญาต", "ไม่มีการแก้ไขภายหลังนอกจากการลงนามช่องอื่น"),
        ("changed after signing", "not changed after signing (other than later signatures)"),
    )
    if s.stamp_trusted is False:
        stamp = (
            "ตราประทับเวลาจากผู้ให้บริการที่ไม่อยู่ในรายชื่อที่เชื่อถือ",
            "time stamp from an authority that is NOT trusted",
        )
    return (
        f"{s.verdict[0]} {s.role}: {s.subject} เวลา {when} ({stamp[0]}) {intact[0]} {trusted[0]} {changed[0]}\n"
        f"  {s.verdict[1]} {s.role}: {s.subject}, {when} ({stamp[1]}), {intact[1]}, {trusted[1]}, {changed[1]}"
        + (f" — {s.problem}" if s.problem else "")
    )


def _trust_words(s: Signature, lang_date: LangDate) -> tuple[str, str]:
    """Whether the signer's certificate is trusted, in words: revoked; no trusted CA given; trusted at the time its
    time stamp proves (expired since); trusted or not."""
    if s.revoked:
        return ("ใบรับรองถูกเพิกถอนแล้ว", "certificate REVOKED")
    if s.proven_at is not None:
        return (
            f"เชื่อถือได้ ณ เวลาที่ตราประทับเวลายืนยัน ({lang_date(s.proven_at)}; ใบรับรองหมดอายุไปแล้ว)",
            f"trusted at the time its time stamp proves ({lang_date(s.proven_at)}; the certificate has expired since)",
        )
    if s.trusted is None:
        return (
            "ไม่ได้ยืนยันตัวตนผู้ลงนาม (ไม่มีรายชื่อผู้ออกใบรับรองที่เชื่อถือ: trust ในการตั้งค่า หรือ --trust)",
            "identity not verified (no trusted CA: `trust` in the settings, or --trust)",
        )
    return ("เชื่อถือได้", "trusted") if s.trusted else ("ไม่อยู่ในผู้ออกใบรับรองที่เชื่อถือ", "NOT trusted")


def report_lines(report: Report, lang_date: LangDate) -> list[str]:
    """One line per signature, Thai then English, then the fields unsigned and the spec hash."""
    if report.unreadable:
        return [f"อ่านลายมือชื่อใน {report.path} ไม่ได้ / cannot read the signatures of {report.path}: {report.unreadable}"]
    lines = [_signature_line(s, lang_date) for s in report.signatures]
    for s in report.stamps:
        good = s.intact and s.trusted is not False
        lines.append(
            f"{'ผ่าน' if good else 'ไม่ผ่าน'} ตราประทับเวลาของเอกสาร (B-LTA): {s.subject} เวลา {lang_date(s.time) if s.time else '—'}\n"
            f"  {'OK' if good else 'FAIL'} document time stamp (B-LTA): {s.subject}, {lang_date(s.time) if s.time else '—'}, "
            f"{'intact' if s.intact else 'NOT intact'}, "
            + ("trusted" if s.trusted else "NOT trusted" if s.trusted is False else "authority not checked")
            + (f" — {s.problem}" if s.problem else "")
        )
    if not report.signatures:
        lines.append("ยังไม่มีลายมือชื่ออิเล็กทรอนิกส์ / no signature yet")
    for role in report.unsigned:
        lines.append(f"ยังไม่ได้ลงนาม {role} / not yet signed: {role}")
    for role in report.added:
        lines.append(
            f"ช่องลงนาม {role} ถูกเพิ่มหลังจากสร้างเอกสาร (ไม่มีในฉบับที่สร้าง) / "
            f"signature field {role} was added after the build (the built document has no such field)"
        )
    if report.built is False:
        lines.append(
            f"ไฟล์ก่อนลายมือชื่อแรกไม่ใช่ฉบับที่สร้างและบันทึกไว้ (sha256 {report.before_first[:16]}…) — ถูกแก้ไขก่อนลงนาม / "
            f"the file before the first signature is not a final the record holds (sha256 {report.before_first[:16]}…): "
            "it was changed before it was signed"
        )
    elif report.built:
        lines.append(
            "ไฟล์ก่อนลายมือชื่อแรกตรงกับฉบับที่สร้างและบันทึกไว้ / the file before the first signature is the final as built"
        )
    lines.append(f"ข้อกำหนด (spec hash) / spec hash: {report.spec_hash or '—'}")
    return lines
