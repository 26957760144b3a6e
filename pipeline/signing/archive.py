"""`mou archive`: a signed final made long-term (PAdES B-LTA) for an archive — every signature's validation data
(the certificate chains and whatever revocation data the certificates point to) in the document's security store
(DSS), then a document time stamp over all of it; run again before the last time stamp's certificate expires, it adds
the new validation data and another time stamp. Incremental updates, so every signature stays valid, and the file
stays PDF/A-2b. `mou sign --ltv` embeds the same validation data at signing (PAdES B-LT)."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.signing.sign import refuse
from pipeline.signing.verify import validation_context
from pipeline.store.files import write_atomically

if TYPE_CHECKING:  # pyHanko is imported where it is used
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader


def archive_pdf(pdf_path: Path, out: Path, timestamp_url: str, trust: list[bytes]) -> int:
    """The validation data of every signature, then a document time stamp; returns how many signatures it covers."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers, timestamps
    from pyhanko.sign.validation import add_validation_info

    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    if not trust:
        raise refuse(
            "ต้องมีใบรับรองผู้ออกที่เชื่อถือ (trust ในการตั้งค่า หรือ --trust) เพื่อรวบรวมข้อมูลการตรวจสอบ",
            "the CA certificates the office trusts are needed (`trust` in the settings, or --trust) to gather the "
            "validation data",
        )
    data = pdf_path.read_bytes()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        count = sum(1 for s in reader.embedded_signatures if s.sig_object_type == "/Sig")
    except Exception as exc:
        raise refuse(f"อ่าน {pdf_path} ไม่ได้ ({exc})", f"cannot read {pdf_path} ({exc})") from exc
    if not count:
        raise refuse(f"{pdf_path} ยังไม่มีลายมือชื่อ", f"{pdf_path} carries no signature yet")
    context = validation_context(trust)
    try:
        for n in range(len(reader.embedded_signatures)):
            current = PdfFileReader(io.BytesIO(data), strict=True)
            sig = current.embedded_signatures[n]
            if sig.sig_object_type == "/Sig":
                data = add_validation_info(sig, context, add_vri_entry=False).getvalue()  # a VRI rewritten is suspect
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
        name = _stamp_field(writer, PdfFileReader(io.BytesIO(data), strict=True))
        stamper = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(timestamp_url, timeout=30), field_name=name)
        data = stamper.timestamp_pdf(writer, "sha256", validation_context=context).getvalue()
    except Exception as exc:  # the time-stamp server, a chain that does not validate: one sentence, nothing written
        raise refuse(
            f"เก็บรักษาระยะยาวไม่สำเร็จ ({type(exc).__name__}: {exc})", f"archiving failed ({type(exc).__name__}: {exc})"
        ) from exc
    write_atomically({out: data})
    return count


def _stamp_field(writer: IncrementalPdfFileWriter, reader: PdfFileReader) -> str:
    """The next `archive:N` field for the document time stamp, invisible, with an empty appearance of its own (PDF/A-2b
    wants one on every widget; pyHanko's own field for a time stamp has none)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field, enumerate_sig_fields

    taken = {str(name) for name, _, _ in enumerate_sig_fields(reader, filled_status=None)}
    n = 1
    while f"archive:{n}" in taken:
        n += 1
    name = f"archive:{n}"
    append_signature_field(writer, SigFieldSpec(name, on_page=0, box=(0, 0, 0, 0)))
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T")) == name:
            appearance = generic.StreamObject(
                {
                    generic.NameObject("/Type"): generic.NameObject("/XObject"),
                    generic.NameObject("/Subtype"): generic.NameObject("/Form"),
                    generic.NameObject("/BBox"): generic.ArrayObject([generic.FloatObject(0)] * 4),
                },
                stream_data=b"",
            )
            field[generic.NameObject("/AP")] = generic.DictionaryObject(
                {generic.NameObject("/N"): writer.add_object(appearance)}
            )
            field[generic.NameObject("/F")] = generic.NumberObject(4)  # print
            writer.update_container(field)
    return name
