"""Recording a signing (a service the review page calls): the signed copy kept under its hash, the `signed` block
written at the end of the spec with the rest of the file kept to the byte, and the office's record of who recorded
it, journalled before the spec is saved."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass

from pipeline.questionnaire.answers import group, yaml_block
from pipeline.spec.model import without_signed
from pipeline.store.files import write_atomically
from pipeline.store.history import changes
from pipeline.store.workspace import Agreement
from pipeline.web.context import Office

SIGNED_COPIES = ".signed"  # the signed copies uploaded (hidden: the batch skips it)


@dataclass(frozen=True)
class Recorded:
    """What a recording wrote: the `signed` block now in the spec, and the one it replaced (empty the first time)."""

    signed: dict
    previous: dict


def record_signing(
    ctx: Office,
    name: str,
    user: str,
    agreement: Agreement,
    day: dt.date,
    place: str,
    copy_: tuple[bytes, str] | None,
    signers: list[dict],
) -> Recorded:
    """Record the signing of `agreement` (loaded under the workspace's lock, which the caller holds). A correction
    without a new copy keeps the copy and signers already recorded."""
    before = copy.deepcopy(agreement.answers)
    previous = group(before, "signed")
    signed: dict[str, object] = {"date": day}
    if place:
        signed["place"] = place
    kept = None
    if copy_ is not None:
        data, ext = copy_
        digest = hashlib.sha256(data).hexdigest()
        (ctx.ws.root / SIGNED_COPIES).mkdir(exist_ok=True)
        kept = f"{SIGNED_COPIES}/{name}.{digest[:16]}.{ext}"
        write_atomically({ctx.ws.root / kept: data})
        signed["pdf_sha256"] = digest
        if signers:
            signed["signers"] = signers
    elif previous.get("pdf_sha256"):  # a correction of the date or place keeps the copy already recorded
        signed["pdf_sha256"] = previous["pdf_sha256"]
        if previous.get("signers"):
            signed["signers"] = previous["signers"]
    agreement.answers["signed"] = signed
    # the spec as it was written, its `signed` block replaced at the end: the rest of the file keeps its bytes, so
    # the provenance hash the built PDFs carry (which leaves the block out) still matches a correction's upload
    kept_text = without_signed(agreement.raw)
    block = yaml_block({"signed": signed}).encode("utf-8")
    text = kept_text + (b"" if kept_text.endswith(b"\n") else b"\n") + b"# signed\n" + block
    # the record first (who recorded it and when, beside its history row, pending), then the spec's block, which
    # stays the fact build and batch read
    with ctx.record.journal(
        name,
        user,
        changes(before, agreement.answers),
        text.decode("utf-8"),
        beside=ctx.record.signing(name, user, signed, kept),
    ):
        ctx.ws.save(name, agreement.answers, complete=True, text=text)
    return Recorded(signed, previous)
