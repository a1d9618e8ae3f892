"""The company's signing keys: a company CA and signing certificate made under instance/signing on
first use (safe when several processes start at once), or a PKCS#12 file the company brings.

Where several servers make or check records, every one must sign with the same key: there the keys
are never made on the spot (`create=False`), but once with `flask hk init-signing --export FILE`,
whose PKCS#12 file each server is given as HK_SIGNING_PKCS12."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

log = logging.getLogger(__name__)

SIGNING_DIR = "signing"
CA_KEY, CA_CERT, SIGNER_KEY, SIGNER_CERT = "ca.key", "ca.pem", "signer.key", "signer.pem"
# RSA rather than EC: every PDF reader verifies RSA PKCS#1 v1.5 signatures, while ECDSA support
# is still missing in some older viewers customers open records with. 3072 bits is the size
# recommended beyond 2030 (NIST SP 800-57).
RSA_BITS = 3072
CA_YEARS, SIGNER_YEARS = 20, 5
# Certificates start a little in the past so a clock a few minutes behind (another worker,
# a restored VM) still sees a freshly generated certificate as valid.
BACKDATE = timedelta(minutes=10)


@dataclass(frozen=True)
class CompanyKeys:
    """What signing needs: a ready pyHanko signer and the certificates to publish and check against."""

    signer: signers.Signer
    ca_cert_pem: bytes
    signing_cert_pem: bytes
    subject_name: str


def _name(common_name: str, company_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, company_name),
        ]
    )


def _years(start: datetime, years: int) -> datetime:
    # 365-day years: exact calendar years do not matter for a validity period.
    return start + timedelta(days=365 * years)


def _make_ca(company_name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    name = _name(f"{company_name} Record CA", company_name)
    start = datetime.now(UTC) - BACKDATE
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_years(start, CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_signer(
    company_name: str, ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    start = datetime.now(UTC) - BACKDATE
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{company_name} Service Records", company_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        # A signing certificate never outlives the CA that vouches for it.
        .not_valid_after(min(_years(start, SIGNER_YEARS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                # content_commitment is nonRepudiation: pyHanko's validator requires it on PDF signers.
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # No extendedKeyUsage: with id-kp-documentSigning (RFC 9336) poppler/NSS reports "Unknown issue
        # with Certificate" because NSS checks signers for emailProtection whenever an EKU is present;
        # pyHanko and Acrobat accept a signer without one.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    # Unencrypted on purpose: instance/ is private to the service account and never in git, and a
    # passphrase would have to sit in the same configuration anyway. Use PKCS#12 for more.
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    # O_EXCL: an existing key is never overwritten, even if two processes race here.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    # Several gunicorn workers may start on a fresh instance at once; one generates, the others wait.
    fd = os.open(directory / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class SigningKeysMissing(RuntimeError):
    """This server has no signing key and may not make one: another server would sign with its own."""


def _pair_state(key_path: Path, cert_path: Path) -> bool:
    """True when both files exist, False when neither does; a half pair is an operator's problem."""
    key_exists, cert_exists = key_path.exists(), cert_path.exists()
    if key_exists != cert_exists:
        raise RuntimeError(f"{key_path} and {cert_path} must both exist or both be absent; refusing to guess")
    return key_exists


def ensure_company_keys(folder: Path, company_name: str) -> None:
    """Create folder/signing/ca.key, ca.pem, signer.key, signer.pem on first run (never overwrite)."""
    directory = Path(folder) / SIGNING_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask and ignored for an existing folder.
    directory.chmod(0o700)
    with _locked(directory):
        ca_key_path, ca_cert_path = directory / CA_KEY, directory / CA_CERT
        signer_key_path, signer_cert_path = directory / SIGNER_KEY, directory / SIGNER_CERT
        if _pair_state(ca_key_path, ca_cert_path):
            if _pair_state(signer_key_path, signer_cert_path):
                return
            ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
            if not isinstance(ca_key, rsa.RSAPrivateKey):
                raise RuntimeError(f"{ca_key_path} is not an RSA key")
            ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
        else:
            if _pair_state(signer_key_path, signer_cert_path):
                raise RuntimeError(f"{signer_cert_path} exists without the CA that issued it")
            ca_key, ca_cert = _make_ca(company_name)
            _write_new(ca_key_path, _key_pem(ca_key), 0o600)
            _write_new(ca_cert_path, _cert_pem(ca_cert), 0o644)
        signer_key, signer_cert = _make_signer(company_name, ca_key, ca_cert)
        _write_new(signer_key_path, _key_pem(signer_key), 0o600)
        _write_new(signer_cert_path, _cert_pem(signer_cert), 0o644)
    log.info("created signing keys for %s in %s", company_name, directory)


class _ParsedKeySigner(signers.SimpleSigner):
    """A pyHanko SimpleSigner that parses its private key once instead of for every signature."""

    # SimpleSigner.sign_raw re-loads the DER key on each call, and loading an RSA-3072 key runs
    # OpenSSL's consistency check (~80 ms here); a PDF needs two calls (a dry run sizes the
    # /Contents hole), so signing took ~180 ms instead of ~20 ms.

    @cached_property
    def _private_key(self) -> PrivateKeyTypes:
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign data with the cached key; mechanisms other than RSA PKCS#1 v1.5 and ECDSA go to pyHanko."""
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key = self._private_key
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def common_name(cert: asn1_x509.Certificate) -> str:
    """The certificate subject's common name, as people read it."""
    native = cert.subject.native
    return str(native.get("common_name") or cert.subject.human_friendly)


def _load_pkcs12(pkcs12_path: str, pkcs12_password: str | None) -> CompanyKeys:
    password = pkcs12_password.encode() if pkcs12_password is not None else None
    signer = signers.SimpleSigner.load_pkcs12(pkcs12_path, passphrase=password)
    if signer is None or signer.signing_cert is None:
        # pyHanko logs the cause and returns None; a signer that cannot sign must stop the start-up.
        raise ValueError(f"cannot load the PKCS#12 file {pkcs12_path} (wrong password or format?)")
    # pyHanko keeps the bundle's extra certificates in a set, so read their order with cryptography.
    _, cert, chain = pkcs12.load_key_and_certificates(Path(pkcs12_path).read_bytes(), password)
    if cert is None:
        raise ValueError(f"{pkcs12_path} holds no certificate")
    # The trust root is the last certificate of the bundle's chain (bundles list leaf → root), or
    # the signing certificate itself when the bundle carries none, i.e. a self-signed certificate.
    # A bundle that stops at an intermediate makes that intermediate the anchor: good enough to
    # recognise our own records.
    root = chain[-1] if chain else cert
    return CompanyKeys(
        signer=_ParsedKeySigner(
            signing_cert=signer.signing_cert,
            signing_key=signer.signing_key,
            cert_registry=signer.cert_registry,
        ),
        ca_cert_pem=_cert_pem(root),
        signing_cert_pem=_cert_pem(cert),
        subject_name=common_name(signer.signing_cert),
    )


MISSING_KEYS = (
    "This server has no signing key for records, and makes none of its own: with HK_REDIS_URL or "
    "object storage set, several servers may make and check records, and every one must use the same "
    "key. Run `flask hk init-signing --export company.p12` once, copy the file to every server and set "
    "HK_SIGNING_PKCS12 (and HK_SIGNING_PKCS12_PASSWORD) there; see docs/deploy.md."
)


def load_company_keys(
    folder: Path,
    company_name: str,
    pkcs12_path: str | None = None,
    pkcs12_password: str | None = None,
    create: bool = True,
) -> CompanyKeys:
    """The keys to sign with: the configured PKCS#12 file, else the generated ones — made if missing
    when `create`, else SigningKeysMissing."""
    if pkcs12_path:
        return _load_pkcs12(pkcs12_path, pkcs12_password)
    directory = Path(folder) / SIGNING_DIR
    if create:
        ensure_company_keys(folder, company_name)
    elif not all((directory / name).exists() for name in (CA_CERT, SIGNER_KEY, SIGNER_CERT)):
        raise SigningKeysMissing(MISSING_KEYS)
    ca_pem = (directory / CA_CERT).read_bytes()
    signer_pem = (directory / SIGNER_CERT).read_bytes()
    (ca_cert,) = load_certs_from_pemder_data(ca_pem)
    (signing_cert,) = load_certs_from_pemder_data(signer_pem)
    signing_key = load_private_key_from_pemder_data((directory / SIGNER_KEY).read_bytes(), passphrase=None)
    signer = _ParsedKeySigner(
        signing_cert=signing_cert,
        signing_key=signing_key,
        # The CA goes into every signature's CMS so a validator given only the root can build the chain.
        cert_registry=SimpleCertificateStore.from_certs([ca_cert]),
    )
    return CompanyKeys(
        signer=signer,
        ca_cert_pem=ca_pem,
        signing_cert_pem=signer_pem,
        subject_name=common_name(signing_cert),
    )


def export_pkcs12(folder: Path, path: Path, password: str) -> None:
    """Write the generated signing key with its certificate and the company CA's certificate as one
    PKCS#12 file, encrypted with the password: what HK_SIGNING_PKCS12 gives every server. The CA's own
    key stays in folder/signing. An existing file is never overwritten."""
    if not password:
        raise ValueError("a PKCS#12 file holding the signing key needs a password")
    directory = Path(folder) / SIGNING_DIR
    key = serialization.load_pem_private_key((directory / SIGNER_KEY).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError(f"{directory / SIGNER_KEY} is not an RSA key")
    cert = x509.load_pem_x509_certificate((directory / SIGNER_CERT).read_bytes())
    ca = x509.load_pem_x509_certificate((directory / CA_CERT).read_bytes())
    encryption = serialization.BestAvailableEncryption(password.encode())
    data = pkcs12.serialize_key_and_certificates(b"hk records", key, cert, [ca], encryption)
    _write_new(Path(path), data, 0o600)
