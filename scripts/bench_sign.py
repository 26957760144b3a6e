"""Signing measured (issue 22): one final PDF of the example with the most fields (child-protection-commissioning:
delegator, partner, a signing supporter, two witnesses), signed ROUNDS times by the delegator, PAdES B-B and B-T (a
local RFC 3161 server), in process and through `mou sign` (a new process: Python and pyHanko imported each time);
then `mou verify` of all five signatures. The baseline, measured in the same run, is the build of that agreement."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway CA and time-stamp server of the tests

from pki import TimeStampServer, make_ca  # noqa: E402

from pipeline.api import Converter, SigningKey, archive_pdf, build, load_library, sign_pdf, verify_pdf  # noqa: E402
from pipeline.spec.settings import Settings  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", 10))
MOU = [sys.executable, "-m", "pipeline.cli"]  # `mou`, from this checkout
SPEC = ROOT / "examples" / "child-protection-commissioning.yaml"
ROLES = ["delegator", "partner", "supporter:มูลนิธิคุ้มครองเด็กตัวอย่าง", "witness:1", "witness:2"]


def timed(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def row(label: str, times: list[float], base: float) -> str:
    p50 = statistics.median(times)
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    return f"| {label} | {len(times)} | {p50:.3f} s | {p95:.3f} s | {p50 / base:.2f}× |"


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="mou-bench-sign-"))
    library, settings = load_library(None), Settings()
    with Converter(timeout=120) as converter:
        build(SPEC, tmp, library, settings, converter)  # LibreOffice warm
        builds = timed(lambda: build(SPEC, tmp, library, settings, converter), 3)
    pdf = tmp / f"{SPEC.stem}.pdf"
    ca = make_ca(tmp)
    tsa = TimeStampServer(ca)
    certs = [ca.issue(f"Signer {n}") for n in range(len(ROLES))]
    base = statistics.median(builds)
    out = tmp / "signed.pdf"
    bb = timed(lambda: sign_pdf(pdf, out, "delegator", SigningKey.from_file(certs[0], b"secret")), ROUNDS)
    bt = timed(
        lambda: sign_pdf(pdf, out, "delegator", SigningKey.from_file(certs[0], b"secret"), timestamp_url=tsa.url),
        ROUNDS,
    )
    cli = timed(
        lambda: subprocess.run(
            [*MOU, "sign", str(pdf), "--cert", str(certs[0]), "--as", "delegator", "--out", str(out)],
            input=b"secret\n",
            check=True,
            capture_output=True,
            cwd=ROOT,
        ),
        max(3, ROUNDS // 3),
    )
    current = pdf
    for n, role in enumerate(ROLES):
        nxt = tmp / f"s{n}.pdf"
        sign_pdf(current, nxt, role, SigningKey.from_file(certs[n], b"secret"))
        current = nxt
    data = current.read_bytes()
    trust = [ca.pem.read_bytes()]
    verify = timed(lambda: verify_pdf(data, current, trust), ROUNDS)
    # issue 31: B-LT at signing (the signer's validation data), and the archive's B-LTA step over five signatures
    ltv = timed(
        lambda: sign_pdf(
            pdf, out, "delegator", SigningKey.from_file(certs[0], b"secret"), timestamp_url=tsa.url, ltv_trust=trust
        ),
        ROUNDS,
    )
    archived = tmp / "archived.pdf"
    archive = timed(lambda: archive_pdf(current, archived, tsa.url, trust), max(3, ROUNDS // 3))
    archived_data = archived.read_bytes()
    verify_archived = timed(lambda: verify_pdf(archived_data, archived, trust), ROUNDS)
    tsa.close()
    print(f"signing {SPEC.stem} ({pdf.stat().st_size // 1024} KB, {len(ROLES)} fields), {ROUNDS} rounds")
    print("| step | runs | p50 | p95 | against the build |")
    print("|---|---|---|---|---|")
    print(row("baseline: `build` of the agreement, DOCX + PDF/A (warm LibreOffice)", builds, base))
    print(row("sign one field, PAdES B-B, in process", bb, base))
    print(row("sign one field, PAdES B-T (local time-stamp server), in process", bt, base))
    print(row("`mou sign` B-B, a new process each time", cli, base))
    print(row("verify five signatures against the CA, in process", verify, base))
    print(row("sign one field, PAdES B-LT (`--ltv`), in process", ltv, base))
    print(row("archive five signatures, PAdES B-LTA (DSS + document time stamp), in process", archive, base))
    print(row("verify the archived file (five signatures, one document time stamp), in process", verify_archived, base))


if __name__ == "__main__":
    main()
