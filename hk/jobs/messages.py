"""Refusals from the workflow and the photo pipeline, as sentences in the person's language."""

from __future__ import annotations

from flask_babel import gettext as _

from hk.domain.workflow import Refusal
from hk.photos import PhotoRejected
from hk.refusals import refusal_text


def refusal_texts(refusals: list[Refusal], stages: list[dict], lang: str) -> list[str]:
    """Every refusal as a sentence, in order."""
    return [refusal_text(r, stages=stages, lang=lang) for r in refusals]


def photo_rejection_text(error: PhotoRejected) -> str:
    """Why a photo was not accepted, and what to do."""
    p = error.params
    texts = {
        "empty": _("The file is empty. Please take the photo again."),
        "too_large": _("The photo is larger than %(max)s MB. Please take it again.", max=p.get("max_mb", "")),
        "not_an_image": _("This file is not a photo. Please choose a JPEG, PNG, WebP or HEIC picture."),
        "unsupported_type": _("This picture type is not accepted. Please use JPEG, PNG, WebP or HEIC."),
        "too_many_pixels": _(
            "The picture is too big (%(mp)s megapixels, at most %(max)s). Please take a normal photo.",
            mp=p.get("megapixels", ""),
            max=p.get("max_megapixels", ""),
        ),
        # The same file would fail again: it is the file that is damaged, not the upload.
        "truncated": _(
            "This photo file is damaged (it is cut short) and cannot be used. "
            "Please take the photo again or choose another one."
        ),
    }
    return texts.get(error.code, _("The photo could not be read. Please try again."))
