"""`mou sign` and `mou verify` (SPEC.md §5): digital signatures on a final PDF, one role's field at a time, and their
verification."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from pipeline.cli.commands import cli, echo
from pipeline.errors import Message, MouError

# pyHanko imports cryptography's DSA support, which warns that it is deprecated: nothing a signer can act on, and not
# a line for the command's output (this project never signs with DSA)
warnings.filterwarnings("ignore", message="DSA is deprecated", category=Warning)


def _secret(label: str) -> bytes:
    """The PKCS#12 password: asked, hidden, on a terminal; one line of standard input otherwise."""
    if sys.stdin.isatty():
        return click.prompt(label, hide_input=True, default="", show_default=False).encode()
    return sys.stdin.readline().rstrip("\r\n").encode()


def _when(moment) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Bangkok")).strftime("%Y-%m-%d %H:%M:%S %z")


@cli.command("sign")
@click.argument("pdf", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--cert",
    "cert",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The signer's PKCS#12 file (.p12 / .pfx): key and certificate.",
)
@click.option(
    "--pkcs11-lib", "pkcs11_lib", help="A PKCS#11 module (a token's driver, e.g. libsofthsm2.so), instead of --cert."
)
@click.option("--key-label", "key_label", help="The label of the key and its certificate on the token.")
@click.option("--as", "role", required=True, help="The field to sign: delegator, partner, supporter:NAME, witness:N.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The signed PDF.")
@click.option(
    "--timestamp", "timestamp_url", help="An RFC 3161 time-stamp server (default: the settings'): PAdES B-T, not B-B."
)
@click.option("--reason", help="Why this signature is given (shown by PDF readers).")
@click.option("--ltv", is_flag=True, help="Embed the signer's validation data too (PAdES B-LT); needs trusted CAs.")
@click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A CA certificate to trust for --ltv, besides the settings' `trust`.",
)
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def sign_cmd(pdf, cert, pkcs11_lib, key_label, role, out, timestamp_url, reason, ltv, trust, settings_file):
    """Sign ROLE's empty signature field of a final PDF (PAdES, an incremental update: earlier signatures stay valid),
    with a PKCS#12 file or a PKCS#11 token. The password or PIN is read from standard input when it is not a
    terminal."""
    from pipeline.api import SigningKey, sign_pdf

    if (cert is None) == (pkcs11_lib is None) or (pkcs11_lib and not key_label):
        raise click.UsageError("give --cert FILE.p12, or --pkcs11-lib LIB with --key-label LABEL (one of the two)")
    label = "รหัสผ่านของใบรับรอง / certificate password" if cert else "รหัส PIN ของโทเค็น / token PIN"
    from pipeline.cli.loading import load_settings

    settings = load_settings(settings_file)
    cas = [Path(p).read_bytes() for p in (*settings.trust, *trust)] if ltv else None
    if ltv and not cas:
        raise click.UsageError("--ltv needs the CA certificates the office trusts: `trust` in the settings, or --trust")
    secret = _secret(label)
    key = SigningKey.from_file(cert, secret) if cert else SigningKey.on_token(pkcs11_lib, key_label, secret)
    signed = sign_pdf(
        pdf, out, role, key, timestamp_url=timestamp_url or settings.timestamp_url, reason=reason, ltv_trust=cas
    )
    kind = "PAdES B-T (มีตราประทับเวลา / time-stamped)" if signed.timestamped else "PAdES B-B"
    kind = kind.replace("B-T", "B-LT") if ltv and signed.timestamped else kind
    echo(f"ลงนามช่อง {signed.role} แล้ว / signed the field {signed.role}: {signed.subject} — {kind} -> {signed.out}")


@cli.command("archive")
@click.argument("pdf", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--timestamp", "timestamp_url", help="The RFC 3161 time-stamp server (default: the settings').")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The archived PDF.")
@click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A CA certificate (PEM or DER) to trust, besides the settings' `trust`.",
)
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def archive_cmd(pdf, timestamp_url, out, trust, settings_file):
    """Make a signed PDF long-term (PAdES B-LTA): every signature's validation data, then a document time stamp.
    Run it again before the last time stamp's certificate expires."""
    from pipeline.api import archive_pdf
    from pipeline.cli.loading import load_settings

    settings = load_settings(settings_file)
    url = timestamp_url or settings.timestamp_url
    if not url:
        raise click.UsageError("give --timestamp URL, or `timestamp_url` in the settings")
    cas = [Path(p).read_bytes() for p in (*settings.trust, *trust)]
    count = archive_pdf(pdf, out, url, cas)
    echo(
        f"เก็บข้อมูลการตรวจสอบของลายมือชื่อ {count} รายการและประทับเวลาเอกสารแล้ว (PAdES B-LTA) / "
        f"validation data of {count} signatures and a document time stamp added (PAdES B-LTA) -> {out}"
    )


@cli.command("verify")
@click.argument("pdf", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A CA certificate (PEM or DER) to trust; may be given more than once.",
)
@click.option(
    "--record",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The office's record of the finals built: a `mou serve` workspace or the output folder of `mou batch` "
    "(default: the one the PDF lies in, if any).",
)
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A YAML settings file; its `trust` lists the CA certificates the office trusts.",
)
def verify_cmd(pdf: Path, trust: tuple[Path, ...], record: Path | None, settings_file: Path | None):
    """One line per signature: role, signer, time, intact, trusted, changed after; then fields added after the build
    and whether the file before the first signature is the final as built (with a record); exit 0 when every
    signature is intact (and trusted, with --trust), every field is signed, none was added and the built file is
    the recorded one."""
    from pipeline.api import report_lines, verify_pdf
    from pipeline.run.manifest import recorded_finals

    recorded = recorded_finals(record) if record else recorded_finals(pdf.parent, pdf.parent.parent)
    if record and recorded is None:
        raise MouError(
            Message(
                f"{record}: ไม่พบบันทึกฉบับที่สร้าง (mou-manifest.json)",
                "no record of built finals there (mou-manifest.json)",
            )
        )
    from pipeline.cli.loading import load_settings

    cas = [*load_settings(settings_file).trust, *trust]
    try:
        roots = [Path(p).read_bytes() for p in cas]
    except OSError as exc:
        raise MouError(
            Message(f"อ่านใบรับรอง {exc.filename} ไม่ได้", f"cannot read the CA certificate {exc.filename}")
        ) from exc
    report = verify_pdf(pdf.read_bytes(), pdf, roots or None, recorded)
    for line in report_lines(report, _when):
        echo(line)
    if not report.ok:
        why = []
        if report.unsigned:
            why.append(f"ยังไม่ได้ลงนาม / unsigned: {', '.join(report.unsigned)}")
        bad = [s.role for s in report.signatures if not s.ok]
        if bad:
            why.append(f"ไม่ผ่าน / failed: {', '.join(bad)}")
        if not report.signatures and not report.unreadable:
            why.append("ไม่มีลายมือชื่อ / no signature")
        if report.added:
            why.append(f"ช่องที่เพิ่มหลังสร้าง / fields added after the build: {', '.join(report.added)}")
        if report.built is False:
            why.append("แก้ไขก่อนลงนาม / changed before it was signed")
        echo("ตรวจไม่ผ่าน / verification failed" + (": " + "; ".join(why) if why else ""), err=True)
        sys.exit(1)
    echo(f"ลายมือชื่อครบและถูกต้องทั้ง {len(report.signatures)} รายการ / all {len(report.signatures)} signatures intact")
