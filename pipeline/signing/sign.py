"""`mou sign`: a role's empty signature field of a final PDF signed with pyHanko, PAdES baseline B-B (B-T with an
RFC 3161 time stamp), as an incremental update, so that the signatures made before stay valid. The PDF/A-2b claim
is kept: the signature's appearance is drawn in the document's own font, embedded, and the XMP packet is updated,
not replaced. Everything that can be refused is refused before anything is written."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import LABELS_FILE
from pipeline.errors import Message, MouError
from pipeline.render import PROJECT_FONTS
from pipeline.render.pdfmeta import read_pdf_metadata
from pipeline.signing.verify import signer_name, validation_context
from pipeline.store.files import write_atomically

if TYPE_CHECKING:  # pyHanko and cryptography are imported where they are used: `mou --help` never loads them
    from asn1crypto.x509 import Certificate as Asn1Certificate
    from cryptography import x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.pkcs11 import PKCS11Signer
    from pyhanko.stamp import TextStampStyle

LAKSAMAN = Path("/usr/share/fonts/truetype/tlwg/Laksaman.ttf")


@dataclass(frozen=True)
class Signed:
    role: str
    subject: str
    out: Path
    timestamped: bool


def refuse(th: str, en: str) -> MouError:
    return MouError(Message(f"ลงนามไม่ได้: {th}", f"cannot sign: {en}"))


def final_of_this_tool(pdf: bytes, path: Path) -> dict[str, str]:
    """The provenance a final PDF of mou carries; a draft, or a PDF from elsewhere, is refused."""
    try:
        meta = read_pdf_metadata(pdf)
    except Exception as exc:  # not a PDF at all
        raise refuse(f"{path} ไม่ใช่ไฟล์ PDF ที่อ่านได้", f"{path} is not a readable PDF ({type(exc).__name__})") from exc
    if "MouSpecHash" not in meta:
        raise refuse(
            f"{path} ไม่ใช่ฉบับจริงที่สร้างด้วยโปรแกรมนี้ (ไม่มีข้อมูลที่มาของเอกสาร)",
            f"{path} is not a final PDF made by this tool (it carries no provenance)",
        )
    if meta.get("MouDraft") == "yes":
        raise refuse(
            f"{path} เป็นฉบับร่าง ให้ลงนามในฉบับจริง (mou build หรือปุ่มสร้างฉบับจริง)",
            f"{path} is a draft: sign the final (mou build, or the browser's Build the final)",
        )
    return meta


def _field(reader: PdfFileReader, role: str, path: Path) -> None:
    from pyhanko.sign.fields import enumerate_sig_fields

    fields = {name: value for name, value, _ in enumerate_sig_fields(reader, filled_status=None)}
    if role not in fields:
        have = ", ".join(fields) or "—"
        raise refuse(
            f"{path} ไม่มีช่องลงนามของ {role} (มี: {have})", f"{path} has no signature field for {role} (it has: {have})"
        )
    if fields[role] is not None:
        raise refuse(f"ช่องลงนามของ {role} ลงนามแล้ว", f"the field of {role} is already signed")


def load_certificate(
    p12: bytes, password: bytes, cert_path: Path, now: dt.datetime
) -> tuple[Any, x509.Certificate, Any]:
    """The key and certificate of a PKCS#12 file; a wrong password, or a certificate outside its validity, refused."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(p12, password or None)
    except ValueError as exc:
        raise refuse(
            f"เปิด {cert_path} ไม่ได้: รหัสผ่านไม่ถูกต้อง หรือไม่ใช่ไฟล์ PKCS#12",
            f"cannot open {cert_path}: wrong password, or not a PKCS#12 file",
        ) from exc
    if key is None or cert is None:
        raise refuse(f"{cert_path} ไม่มีกุญแจส่วนตัวหรือใบรับรอง", f"{cert_path} holds no private key or no certificate")
    _check_validity(cert, now, str(cert_path))
    return key, cert, extra


def _writer(data: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer that keeps the document at PDF 1.7, which PDF/A-2 is built on: pyHanko raises the
    catalog's /Version to 2.0 (and claims ISO 32002) for an ECDSA key on a named curve, a PDF/A-2b violation; the
    same signature is valid in PDF 1.7 under the ETSI extension PAdES registers, which is kept."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class Pdf17Writer(IncrementalPdfFileWriter):
        def ensure_output_version(self, version: tuple[int, int]) -> None:
            super().ensure_output_version(min(tuple(version), (1, 7)))  # type: ignore[no-untyped-call]  # pyHanko: untyped

        def register_extension(self, ext: Any) -> None:
            if not str(ext.prefix_name).startswith("/ISO_"):  # ISO 32001/32002: PDF 2.0's extensions
                super().register_extension(ext)

    return Pdf17Writer(io.BytesIO(data), strict=False)


_LABELS = LABELS_FILE


def appearance_text(role: str, lang: str, now: dt.datetime) -> dict[str, str]:
    """The words of the appearance besides the signer's name: the role as the document names it, and the time of
    signing in Thai time, in the document's language (Thai digits and the Buddhist-Era date in a Thai document)."""
    from zoneinfo import ZoneInfo

    import yaml

    from pipeline.render import thai

    labels = yaml.safe_load(_LABELS.read_text(encoding="utf-8"))
    kind, _, name = role.partition(":")
    if kind == "supporter":
        words = name
    elif kind == "witness":
        words = labels["signature"]["witness"][lang]
    else:
        words = labels["party"].get(kind, {}).get(lang, role)
    here = now.astimezone(ZoneInfo("Asia/Bangkok"))
    when = (
        f"ลงนามเมื่อ {thai.date(here.date(), 'th')} เวลา {here:%H.%M} น."
        if lang == "th"
        else f"signed on {thai.date(here.date(), 'en')} at {here:%H:%M} (Thai time)"
    )
    return {"role": thai.localise_digits(words, lang, "thai"), "when": thai.localise_digits(when, lang, "thai")}


def _stamp_style() -> TextStampStyle:
    """The signature's appearance above the dotted line: who signed, in what role, and when, in the document's font,
    embedded (PDF/A wants every font embedded; pyHanko's default stamp uses an unembedded Courier)."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    font = PROJECT_FONTS / "THSarabunNew.ttf"
    font = font if font.is_file() else LAKSAMAN
    return TextStampStyle(
        stamp_text="%(signer)s\n%(role)s\n%(when)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font), font_size=11)),
        border_width=0,
    )


def _token_signer(lib: str, label: str, pin: bytes) -> tuple[PKCS11Signer, Asn1Certificate, Any]:
    """A signer whose key stays on a PKCS#11 token (a smart card, a USB token, SoftHSM): the key and its certificate
    found by label on the first token that holds them; the PIN opens the session."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as p11

    try:
        import pkcs11

        tokens = [slot.get_token() for slot in p11.p11_lib(lib).get_slots(token_present=True)]
        ready = [t for t in tokens if t.flags & pkcs11.TokenFlag.TOKEN_INITIALIZED]  # not the spare empty slot
        criteria = TokenCriteria(label=ready[0].label) if ready else None
        session = p11.open_pkcs11_session(lib, token_criteria=criteria, user_pin=pin.decode() if pin else None)
    except Exception as exc:  # no such library, no token, a wrong PIN
        raise refuse(
            f"เปิดโทเค็น PKCS#11 ({lib}) ไม่ได้: รหัส PIN ไม่ถูกต้อง หรือไม่พบโทเค็น ({type(exc).__name__})",
            f"cannot open the PKCS#11 token ({lib}): wrong PIN, or no token ({type(exc).__name__}: {exc})",
        ) from exc
    try:
        signer = p11.PKCS11Signer(session, key_label=label, cert_label=label)
        cert = signer.signing_cert
    except Exception as exc:
        session.close()
        raise refuse(
            f"ไม่พบกุญแจหรือใบรับรองชื่อ {label} ในโทเค็น", f"no key or certificate labelled {label} on the token ({exc})"
        ) from exc
    return signer, cert, session


def _check_validity(cert: x509.Certificate | Asn1Certificate, now: dt.datetime, where: str) -> None:
    from cryptography import x509

    cert = x509.load_der_x509_certificate(cert.dump()) if not isinstance(cert, x509.Certificate) else cert
    who = cert.subject.rfc4514_string()
    if now > cert.not_valid_after_utc:
        raise refuse(
            f"ใบรับรองของ {who} ({where}) หมดอายุแล้วเมื่อ {cert.not_valid_after_utc:%Y-%m-%d}",
            f"the certificate of {who} ({where}) expired on {cert.not_valid_after_utc:%Y-%m-%d}",
        )
    if now < cert.not_valid_before_utc:
        raise refuse(
            f"ใบรับรองของ {who} ({where}) ยังไม่เริ่มใช้ได้จนถึง {cert.not_valid_before_utc:%Y-%m-%d}",
            f"the certificate of {who} ({where}) is not valid before {cert.not_valid_before_utc:%Y-%m-%d}",
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction: any use
    if not (usage.digital_signature or usage.content_commitment):
        raise refuse(
            f"ใบรับรองของ {who} ({where}) ไม่ได้ออกให้ใช้ลงลายมือชื่อ (key usage ไม่มี digitalSignature หรือ "
            "nonRepudiation) ผู้ตรวจจะปฏิเสธลายมือชื่อนี้ ให้ใช้ใบรับรองสำหรับลงนาม",
            f"the certificate of {who} ({where}) is not issued for signing (its key usage has neither digitalSignature "
            "nor nonRepudiation): a verifier would reject the signature; use a signing certificate",
        )


@dataclass(frozen=True)
class SigningKey:
    """Whose key signs: a PKCS#12 file and its password, or a key on a PKCS#11 token (its module, the label of the key
    and its certificate) and the token's PIN. The command line builds one from its options."""

    secret: bytes
    p12: Path | None = None
    pkcs11_lib: str | None = None
    key_label: str | None = None

    @classmethod
    def from_file(cls, p12: Path, password: bytes) -> SigningKey:
        return cls(password, p12=p12)

    @classmethod
    def on_token(cls, pkcs11_lib: str, key_label: str, pin: bytes) -> SigningKey:
        return cls(pin, pkcs11_lib=pkcs11_lib, key_label=key_label)


def sign_pdf(
    pdf_path: Path,
    out: Path,
    role: str,
    key: SigningKey,
    *,
    timestamp_url: str | None = None,
    reason: str | None = None,
    now: dt.datetime | None = None,
    ltv_trust: list[bytes] | None = None,
) -> Signed:
    """Sign ROLE's field with `key` (a PKCS#12 file or a key on a PKCS#11 token)."""
    cert_path, password, pkcs11_lib, key_label = key.p12, key.secret, key.pkcs11_lib, key.key_label
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
    from pyhanko.sign.timestamps import HTTPTimeStamper

    now = now or dt.datetime.now(dt.UTC)
    logging.getLogger("pyhanko").setLevel(logging.ERROR)  # its layout warnings misjudge Thai names' length
    data = pdf_path.read_bytes()
    provenance = final_of_this_tool(data, pdf_path)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    _field(reader, role, pdf_path)
    first = not reader.embedded_signatures  # the first signature certifies the document as built
    session = None
    if pkcs11_lib:
        signer, cert, session = _token_signer(pkcs11_lib, key_label or "", password)
        _check_validity(cert, now, key_label or "")
    else:
        assert cert_path is not None  # one of the two is required (the command line says so before this)
        p12 = cert_path.read_bytes()
        load_certificate(p12, password, cert_path, now)
        signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=password or None)
        if signer is None:
            raise refuse(f"เปิด {cert_path} ไม่ได้", f"cannot open {cert_path}")
    meta = signers.PdfSignatureMetadata(
        field_name=role,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        # DocMDP: after it, only filling in the fields and signing them; any other change is one the analysis reports
        certify=first,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        # --ltv: the signer's chain and revocation data in the DSS at signing (PAdES B-LT with a time stamp)
        embed_validation_info=bool(ltv_trust),
        validation_context=validation_context(ltv_trust) if ltv_trust else None,
    )
    timestamper = HTTPTimeStamper(timestamp_url, timeout=30) if timestamp_url else None
    writer = _writer(data)
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper, stamp_style=_stamp_style())
    try:
        words = appearance_text(role, provenance.get("MouLanguage", "th"), now)
        signed = pdf_signer.sign_pdf(writer, appearance_text_params=words).getvalue()
    except Exception as exc:  # the time-stamp server, most often: said in one sentence, nothing written
        raise refuse(
            f"ลงนามไม่สำเร็จ ({type(exc).__name__}: {exc})", f"signing failed ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        if session is not None:
            session.close()
    write_atomically({out: signed})
    return Signed(role, signer_name(signer.signing_cert), out, timestamper is not None)  # as mou verify names it
