"""The company PDF signature: keys on disk, sign, and the verdicts check_pdf gives."""

from __future__ import annotations

import os
import random
import re
import subprocess
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
import weasyprint
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from hk.records.signing import (
    CompanyKeys,
    Verdict,
    check_pdf,
    ensure_company_keys,
    load_company_keys,
    sign_pdf,
)

COMPANY = "洁家保洁 Clean Home"
OTHER = "Rival Cleaning"
FILES = ("ca.key", "ca.pem", "signer.key", "signer.pem")


def sign(pdf: bytes, keys: CompanyKeys) -> bytes:
    """Sign with the test's usual reason and place."""
    return sign_pdf(pdf, keys, reason="服务记录", location="Shanghai")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return weasyprint.HTML(string="<p>服务记录 test</p>").write_pdf()


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Path:
    # RSA 3072 key generation takes a moment: one company folder serves the whole module.
    folder = tmp_path_factory.mktemp("instance")
    ensure_company_keys(folder, COMPANY)
    return folder


@pytest.fixture(scope="module")
def keys(instance: Path) -> CompanyKeys:
    return load_company_keys(instance, COMPANY)


@pytest.fixture(scope="module")
def signed(pdf: bytes, keys: CompanyKeys) -> bytes:
    return sign(pdf, keys)


def test_ensure_company_keys_creates_private_files_once(instance: Path) -> None:
    directory = instance / "signing"
    assert os.stat(directory).st_mode & 0o777 == 0o700
    for name in FILES:
        assert (directory / name).is_file()
    assert os.stat(directory / "ca.key").st_mode & 0o777 == 0o600
    assert os.stat(directory / "signer.key").st_mode & 0o777 == 0o600
    before = {name: (directory / name).read_bytes() for name in FILES}

    ensure_company_keys(instance, COMPANY)
    load_company_keys(instance, COMPANY)

    assert {name: (directory / name).read_bytes() for name in FILES} == before


def test_certificates_have_the_promised_shape(instance: Path) -> None:
    directory = instance / "signing"
    ca = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    leaf = x509.load_pem_x509_certificate((directory / "signer.pem").read_bytes())
    assert ca.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == f"{COMPANY} Record CA"
    assert ca.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value == COMPANY
    basic = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca and basic.value.path_length == 0
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    leaf.verify_directly_issued_by(ca)
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).days >= 20 * 365
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days >= 5 * 365


def test_signed_pdf_is_genuine(signed: bytes, keys: CompanyKeys) -> None:
    check = check_pdf(signed, keys.ca_cert_pem)

    assert check.verdict is Verdict.GENUINE
    assert check.intact and check.trusted and check.covers_whole_file
    assert check.signer is not None and COMPANY in check.signer
    assert check.signer == keys.subject_name
    assert check.signed_at is not None and check.signed_at.tzinfo is not None


@pytest.mark.skipif(not Path("/usr/bin/pdfsig").exists(), reason="poppler-utils not installed")
def test_pdfsig_finds_the_signature_valid(signed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)

    out = subprocess.run(["/usr/bin/pdfsig", str(path)], capture_output=True, text=True, check=False)

    assert "Signature is Valid" in out.stdout, out.stdout + out.stderr


def test_a_flipped_byte_in_a_content_stream_is_altered(signed: bytes, pdf: bytes, keys: CompanyKeys) -> None:
    # The original file lies wholly inside the first ByteRange segment: the signature dictionary
    # and its /Contents come after it, in the incremental update.
    start = re.search(rb"stream\r?\n", signed)
    assert start is not None and start.end() + 20 < len(pdf)
    tampered = bytearray(signed)
    tampered[start.end() + 10] ^= 0x01

    check = check_pdf(bytes(tampered), keys.ca_cert_pem)

    assert check.verdict is Verdict.ALTERED
    assert not check.intact and check.trusted
    assert check.detail == "signature broken"


def test_an_incremental_update_after_signing_is_altered(signed: bytes, keys: CompanyKeys) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    writer.root["/HKTampered"] = generic.TextStringObject("yes")
    writer.update_root()
    out = BytesIO()
    writer.write(out)

    check = check_pdf(out.getvalue(), keys.ca_cert_pem)

    assert check.verdict is Verdict.ALTERED
    assert check.intact and not check.covers_whole_file
    assert check.detail == "content added after signing"


def test_garbage_appended_after_signing_is_not_genuine(signed: bytes, keys: CompanyKeys) -> None:
    check = check_pdf(signed + b"\n% appended\n" + os.urandom(64), keys.ca_cert_pem)

    assert check.verdict is not Verdict.GENUINE
    assert not check.covers_whole_file


def test_another_companys_signature_is_unknown(pdf: bytes, keys: CompanyKeys, tmp_path: Path) -> None:
    theirs = load_company_keys(tmp_path, OTHER)
    signed_by_them = sign(pdf, theirs)
    assert check_pdf(signed_by_them, theirs.ca_cert_pem).verdict is Verdict.GENUINE

    check = check_pdf(signed_by_them, keys.ca_cert_pem)

    assert check.verdict is Verdict.UNKNOWN
    assert not check.trusted
    assert check.signer is not None and OTHER in check.signer


def test_unsigned_pdf_is_unknown(pdf: bytes, keys: CompanyKeys) -> None:
    check = check_pdf(pdf, keys.ca_cert_pem)

    assert check.verdict is Verdict.UNKNOWN
    assert check.detail == "no signature"


NOISE = random.Random(7).randbytes(4096)


@pytest.mark.parametrize(
    "junk",
    [b"", b"%PDF-1.7\n", NOISE, b"%PDF-1.7\n" + NOISE, b"%PDF-1.7\n/ByteRange [0 1 2 3] /Contents <00>"],
    ids=["empty", "header", "noise", "header+noise", "fake-signature"],
)
def test_garbage_is_unknown_without_raising(junk: bytes, keys: CompanyKeys) -> None:
    check = check_pdf(junk, keys.ca_cert_pem)

    assert check.verdict is Verdict.UNKNOWN
    assert not check.trusted


def test_pkcs12_keys_sign_genuine_records(pdf: bytes, instance: Path, tmp_path: Path) -> None:
    directory = instance / "signing"
    key = serialization.load_pem_private_key((directory / "signer.key").read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate((directory / "signer.pem").read_bytes())
    ca = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    bundle = tmp_path / "company.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"hk",
            key,  # type: ignore[arg-type]
            cert,
            [ca],
            serialization.BestAvailableEncryption(b"s3cret"),
        )
    )

    keys = load_company_keys(tmp_path / "unused", COMPANY, pkcs12_path=str(bundle), pkcs12_password="s3cret")

    assert keys.ca_cert_pem == (directory / "ca.pem").read_bytes()
    assert not (tmp_path / "unused").exists()
    check = check_pdf(sign(pdf, keys), keys.ca_cert_pem)
    assert check.verdict is Verdict.GENUINE
    assert check.signer is not None and COMPANY in check.signer


def test_pkcs12_with_a_wrong_password_fails_loudly(instance: Path, tmp_path: Path) -> None:
    directory = instance / "signing"
    key = serialization.load_pem_private_key((directory / "signer.key").read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate((directory / "signer.pem").read_bytes())
    bundle = tmp_path / "company.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"hk",
            key,  # type: ignore[arg-type]
            cert,
            None,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
    )

    with pytest.raises(ValueError):
        load_company_keys(tmp_path, COMPANY, pkcs12_path=str(bundle), pkcs12_password="wrong")


def test_pkcs12_with_a_lone_self_signed_ec_certificate_trusts_itself(pdf: bytes, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"{COMPANY} self-signed")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
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
        .sign(key, hashes.SHA256())
    )
    bundle = tmp_path / "self.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(None, key, cert, None, serialization.NoEncryption())
    )

    keys = load_company_keys(tmp_path, COMPANY, pkcs12_path=str(bundle))

    assert keys.ca_cert_pem == keys.signing_cert_pem
    assert check_pdf(sign(pdf, keys), keys.ca_cert_pem).verdict is Verdict.GENUINE
