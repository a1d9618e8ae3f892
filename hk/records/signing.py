"""The company's PDF signature (PAdES baseline B) with pyHanko: signing and checking (keys: hk.records.keys).

No Flask here: callers pass the instance folder and configuration values.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature, async_validate_pdf_signature
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from hk.records.keys import CompanyKeys, common_name, ensure_company_keys, load_company_keys
from hk.records.stamp import PageStamp

__all__ = [
    "CompanyKeys",
    "SignatureCheck",
    "Verdict",
    "check_pdf",
    "ensure_company_keys",
    "load_company_keys",
    "sign_pdf",
]

log = logging.getLogger(__name__)


class Verdict(StrEnum):
    """What a person is told about a PDF: ours and untouched, ours but changed, or not ours to judge."""

    GENUINE = "genuine"
    ALTERED = "altered"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking a PDF against the company CA."""

    verdict: Verdict
    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer: str | None
    signed_at: datetime | None
    detail: str


def _outside_event_loop(fn, *args, **kwargs):
    """Call fn, in a worker thread when this thread already runs an asyncio loop.

    pyHanko's synchronous API calls asyncio.run(), which refuses to start inside a running loop
    (e.g. under an async test harness or an async server); a short-lived thread has none.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def sign_pdf(
    pdf: bytes,
    keys: CompanyKeys,
    *,
    reason: str,
    location: str,
    field_name: str = "HKSignature",
    stamp: PageStamp | None = None,
) -> bytes:
    """Sign a PDF (PAdES baseline B, SHA-256), after writing the stamp if any; return the signed bytes."""
    return _outside_event_loop(
        _sign_pdf, pdf, keys, reason=reason, location=location, field_name=field_name, stamp=stamp
    )


def _sign_pdf(
    pdf: bytes, keys: CompanyKeys, *, reason: str, location: str, field_name: str, stamp: PageStamp | None
) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    if stamp is not None:
        stamp.apply(writer)  # in the signed revision: the signature covers it
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    # No field spec: pyHanko adds an invisible signature field, which is all a record needs.
    out = signers.sign_pdf(writer, meta, signer=keys.signer)
    return out.getvalue()


def _validation_context(roots: list[asn1_x509.Certificate], moment: datetime | None) -> ValidationContext:
    # Offline and fast: our CA publishes no CRL or OCSP, so nothing is fetched and missing
    # revocation data is not held against the signer.
    return ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", moment=moment
    )


def _moment(signed_at: datetime | None) -> datetime | None:
    # Judge the certificate at the time the signature claims. That claim is covered by the signature,
    # so only the holder of our key could have made it; without this, every record would turn
    # "unknown" the day its 5-year signing certificate expires. A claim from the future is ignored.
    if signed_at is None or signed_at > datetime.now(UTC):
        return None
    return signed_at


async def _chains_to_roots(
    embedded: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], moment: datetime | None
) -> bool:
    """Whether the signer's certificate leads to one of our roots, whatever became of the signed bytes."""
    validator = CertificateValidator(
        embedded.signer_cert,
        intermediate_certs=embedded.other_embedded_certs,
        validation_context=_validation_context(roots, moment),
    )
    try:
        await validator.async_validate_path()
    except Exception:  # path building/validation errors all mean the same here: not ours
        return False
    return True


async def _check_one(embedded: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate]) -> SignatureCheck:
    signed_at = embedded.self_reported_timestamp
    moment = _moment(signed_at)
    status = await async_validate_pdf_signature(
        embedded,
        signer_validation_context=_validation_context(roots, moment),
        # The diff analysis would only grade what was added after signing; any addition is
        # already "altered" for us, so skip that (slow) step.
        skip_diff=True,
    )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    signer = common_name(status.signing_cert)
    signed_at = status.signer_reported_dt or signed_at
    # pyHanko only evaluates trust for a signature that verifies, so ask separately for broken ones.
    ours = status.trusted or await _chains_to_roots(embedded, roots, moment)

    def result(verdict: Verdict, detail: str) -> SignatureCheck:
        return SignatureCheck(verdict, status.intact and status.valid, ours, whole, signer, signed_at, detail)

    if not ours:
        return result(Verdict.UNKNOWN, "untrusted signer")
    if not (status.intact and status.valid):
        return result(Verdict.ALTERED, "signature broken")
    if not whole:
        return result(Verdict.ALTERED, "content added after signing")
    if not status.trusted:
        # Issued by our CA but refused, e.g. the certificate lacks nonRepudiation or has expired.
        return result(Verdict.UNKNOWN, f"signer certificate not accepted: {status.trust_problem_indic}")
    return result(Verdict.GENUINE, "genuine")


def _nothing(detail: str) -> SignatureCheck:
    return SignatureCheck(Verdict.UNKNOWN, False, False, False, None, None, detail)


async def _check(pdf: bytes, roots: list[asn1_x509.Certificate]) -> SignatureCheck:
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_regular_signatures)
    except Exception:  # a parser fed untrusted bytes fails in many ways; all of them mean "cannot tell"
        return _nothing("not a readable PDF")
    if not signatures:
        return _nothing("no signature")
    # The latest signature of ours decides: anything signed after it (even by someone else) shows
    # up as content added after our signing. Foreign signatures alone tell us nothing.
    foreign: SignatureCheck | None = None
    for embedded in reversed(signatures):
        try:
            check = await _check_one(embedded, roots)
        except Exception as exc:  # a malformed signature dictionary or CMS blob
            log.info("unreadable signature in PDF: %s", exc)
            continue
        if check.trusted:
            return check
        foreign = foreign or check
    return foreign or _nothing("unreadable signature")


def check_pdf(pdf: bytes, ca_cert_pem: bytes) -> SignatureCheck:
    """Check a PDF's signature against the company CA; never raises on bad input (garbage bytes → UNKNOWN)."""
    # Several PEM certificates are accepted, so records signed before a CA change still check.
    roots = list(load_certs_from_pemder_data(ca_cert_pem))
    if not roots:
        raise ValueError("no CA certificate given")
    return _outside_event_loop(asyncio.run, _check(pdf, roots))
