"""A self-signed TLS certificate for the local stack, made at start-up with ``cryptography``.

A real server uses a certificate from a certificate authority (docs/deployment.md). This one is
for ``make serve`` and the tests: an ECDSA P-256 key and a certificate for ``localhost`` and
``127.0.0.1``, valid for 30 days. Chromium is told to trust exactly this key by its SPKI hash
(``--ignore-certificate-errors-spki-list``), so the browser treats the page as a secure context
(service worker, ``Secure`` cookies, HSTS) without turning certificate checks off.
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NAMES = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    @property
    def spki_sha256(self) -> str:
        """Base64 SHA-256 of the public key, as Chromium's SPKI list wants it."""
        certificate = x509.load_pem_x509_certificate(self.cert.read_bytes())
        public = certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest = hashes.Hash(hashes.SHA256())
        digest.update(public)
        return base64.b64encode(digest.finalize()).decode()

    def valid_for(self, days: int = 1) -> bool:
        if not (self.cert.exists() and self.key.exists()):
            return False
        certificate = x509.load_pem_x509_certificate(self.cert.read_bytes())
        return certificate.not_valid_after_utc > datetime.now(UTC) + timedelta(days=days)


def make_certificate(folder: Path, *, days: int = 30) -> Certificate:
    """A fresh key and self-signed certificate in ``folder`` (the key readable by its owner only)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hài lòng (local)")])
    now = datetime.now(UTC)
    alternative = [x509.DNSName(n) for n in NAMES] + [
        x509.IPAddress(ipaddress.ip_address(a)) for a in ADDRESSES
    ]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    result = Certificate(cert=folder / "tls.crt", key=folder / "tls.key")
    result.key.touch(mode=0o600)
    result.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    result.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return result


def certificate_in(folder: Path) -> Certificate:
    """The certificate kept in ``folder``, made anew when missing or about to expire."""
    existing = Certificate(cert=folder / "tls.crt", key=folder / "tls.key")
    return existing if existing.valid_for() else make_certificate(folder)
