"""A throwaway PKI for the signing tests (no network): a root CA, a PKCS#12 file per signer, and a local RFC 3161
time-stamp server, all made with `cryptography` and pyHanko's own test time-stamper."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)


def _name(cn: str, org: str = "หน่วยทดสอบ") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


@dataclass
class CA:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    folder: Path
    issued: dict = field(default_factory=dict)  # common name -> certificate
    revoked: set = field(default_factory=set)  # serial numbers

    def revoke(self, cn: str) -> None:
        self.revoked.add(self.issued[cn].serial_number)

    def crl(self) -> bytes:
        """The CA's current certificate revocation list, DER."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
            .next_update(dt.datetime.now(dt.UTC) + dt.timedelta(days=7))
        )
        for serial in sorted(self.revoked):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> Path:
        path = self.folder / "ca.pem"
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def issue(
        self,
        cn: str,
        password: str = "secret",
        not_before=None,
        not_after=None,
        tsa: bool = False,
        signs: bool = True,
        crl_url: str | None = None,
        ocsp_url: str | None = None,
    ):
        """A PKCS#12 file for `cn` (`signs=False`: its key usage is key agreement only, not for signing; `crl_url`:
        the CRL distribution point the certificate names, which a verifier fetches; `ocsp_url`: the OCSP responder its
        authority information access names)."""
        # the time-stamp authority's key is RSA: pyHanko's test time-stamper signs with RSA only
        key = rsa.generate_private_key(65537, 2048) if tsa else ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or NOW - dt.timedelta(days=1))
            .not_valid_after(not_after or NOW + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(signs, signs and not tsa, False, False, not signs, False, False, False, False),
                critical=True,
            )
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        if tsa:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        if crl_url:
            point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
            builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
        if ocsp_url:
            access = x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
            )
            builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        self.issued[cn] = cert
        if tsa:
            return key, cert
        path = self.folder / f"{cn.replace(' ', '_')}.p12"
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                cn.encode(), key, cert, [self.cert], serialization.BestAvailableEncryption(password.encode())
            )
        )
        return path


def make_ca(folder: Path, cn: str = "Test Root CA") -> CA:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=2))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CA(key, cert, folder)


class TimeStampServer:
    """RFC 3161 over HTTP on 127.0.0.1: each request is answered by pyHanko's DummyTimeStamper with the CA's TSA."""

    def __init__(self, ca: CA, crl_url: str | None = None):
        from asn1crypto import keys, tsp
        from asn1crypto import x509 as ax509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        key, cert = ca.issue("Test TSA", tsa=True, crl_url=crl_url)
        der = lambda c: ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # noqa: E731
        stamper = DummyTimeStamper(
            tsa_cert=der(cert),
            tsa_key=keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            ),
            certs_to_embed=[der(ca.cert)],
        )

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.requests = 0
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class CrlServer:
    """The CA's CRL over HTTP on 127.0.0.1, served fresh on each request (a certificate revoked later shows)."""

    def __init__(self, ca: CA):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                answer = ca.crl()
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ca.crl"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class OcspServer:
    """An OCSP responder for the CA on 127.0.0.1 (RFC 6960 over HTTP POST), answering from the CA's revocations at
    the time of each request, signed by the CA itself (a responder pyHanko and poppler accept without delegation)."""

    def __init__(self, ca: CA):
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                server.requests += 1
                request = ocsp.load_der_ocsp_request(self.rfile.read(int(self.headers["Content-Length"])))
                cert = next(c for c in ca.issued.values() if c.serial_number == request.serial_number)
                now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
                revoked = cert.serial_number in ca.revoked
                builder = (
                    ocsp.OCSPResponseBuilder()
                    .add_response(
                        cert=cert,
                        issuer=ca.cert,
                        algorithm=hashes.SHA256(),
                        cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
                        this_update=now,
                        next_update=now + dt.timedelta(days=1),
                        revocation_time=now if revoked else None,
                        revocation_reason=None,
                    )
                    .responder_id(ocsp.OCSPResponderEncoding.HASH, ca.cert)
                )
                answer = builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
                self.send_response(200)
                self.send_header("Content-Type", "application/ocsp-response")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ocsp"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


def softhsm_token(folder: Path, ca: CA, label: str, cn: str, pin: str = "1234") -> str:
    """A SoftHSM token (set up in `folder`; SOFTHSM2_CONF must point at folder/softhsm2.conf) holding an RSA key made
    on the token and its certificate from the CA, both labelled `label`. Returns the PKCS#11 module's path."""
    import os
    import subprocess

    import pkcs11
    from cryptography.hazmat.primitives.asymmetric import rsa as crsa
    from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

    (folder / "tokens").mkdir(exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "mou-test", "--pin", pin, "--so-pin", "5678"],
        check=True,
        capture_output=True,
    )
    token = pkcs11.lib(SOFTHSM).get_token(token_label="mou-test")
    with token.open(rw=True, user_pin=pin) as session:
        public, _ = session.generate_keypair(KeyType.RSA, 2048, store=True, label=label, id=b"\x01")
        numbers = crsa.RSAPublicNumbers(
            int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"), int.from_bytes(public[Attribute.MODULUS], "big")
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(ca.cert.subject)
            .public_key(numbers.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(ca.key, hashes.SHA256())
        )
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.LABEL: label,
                Attribute.ID: b"\x01",
                Attribute.TOKEN: True,
            }
        )
    return SOFTHSM


def independent_integrity(pdf: Path) -> dict[str, tuple[bool, bool]]:
    """Each signature field's integrity as two validators other than `mou verify` see it: (poppler's pdfsig, pyHanko
    used directly, without mou's code). Document time stamps, which pdfsig cannot judge, are left out."""
    import io
    import re
    import subprocess

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    report = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
    poppler = {}
    for block in re.split(r"\nSignature #\d+:\n", report)[1:]:
        name = re.search(r"Signature Field Name: (.*)", block).group(1).strip()
        found = re.search(r"Signature Validation: (.*)", block)
        poppler[name] = bool(found) and found.group(1).strip() == "Signature is Valid."
    found = {}
    for sig in PdfFileReader(io.BytesIO(pdf.read_bytes())).embedded_regular_signatures:
        try:
            status = validate_pdf_signature(sig, signer_validation_context=ValidationContext(trust_roots=[]))
            intact = bool(status.intact and status.valid)
        except Exception:
            intact = False
        found[str(sig.field_name)] = (poppler.get(str(sig.field_name), False), intact)
    return found


def assert_validators_agree(pdf: Path, said: str) -> None:
    """pdfsig and a separate pyHanko agree with what `mou verify` said of each signature's integrity."""
    import re

    mou = {
        role: verdict == "intact"
        for role, verdict in re.findall(
            r"^\s*(?:OK|FAIL) (?!document time stamp)(.+?): .*?, (NOT intact|intact),", said, re.M
        )
    }
    for role, verdict in re.findall(  # the Thai line (the browser shows the page's language only)
        r"^\s*(?:ผ่าน|ไม่ผ่าน|ยังไม่ยืนยันตัวตน) (?!ตราประทับเวลาของเอกสาร)(.+?): .*? (ถูกแก้ไขหรือลายมือชื่อไม่ถูกต้อง|ไม่ถูกแก้ไข) ",
        said,
        re.M,
    ):
        assert mou.setdefault(role, verdict == "ไม่ถูกแก้ไข") == (verdict == "ไม่ถูกแก้ไข"), (role, said)
    others = independent_integrity(pdf)
    assert set(mou) == set(others), (mou, others)
    for role, (poppler, pyhanko) in others.items():
        assert mou[role] == poppler == pyhanko, (role, mou[role], poppler, pyhanko, said)
