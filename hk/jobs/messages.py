"""Refusals from the workflow and the photo pipeline, as sentences in the person's language."""

from __future__ import annotations

from flask_babel import gettext as _

from hk.domain.workflow import Refusal
from hk.models.catalog import pick
from hk.photos import PhotoRejected
from hk.views_helpers import problem_text


def item_label(stages: list[dict], item_code: str, lang: str) -> str:
    """An item's label from a job's snapshot."""
    for stage in stages:
        for item in stage["items"]:
            if item["code"] == item_code:
                return pick(item["label"]["zh_CN"], item["label"]["en"], lang)
    return item_code


def refusal_text(refusal: Refusal, stages: list[dict], lang: str) -> str:
    """One workflow refusal as a sentence."""
    params = refusal.params
    label = item_label(stages, str(params.get("item", "")), lang) if "item" in params else ""
    code = refusal.code
    if code == "not_qualified":
        problems = "; ".join(problem_text(p) for p in params.get("problems", []))
        return _("You cannot start this job: %(problems)s.", problems=problems)
    if code == "item_missing":
        return _("Not done yet: %(item)s", item=label)
    if code == "photo_missing":
        return _("Photo needed: %(item)s", item=label)
    if code == "not_safe":
        return _("Marked not safe: %(item)s", item=label)
    texts = {
        "quote_not_confirmed": _("Confirm the itemised quote with the customer first."),
        "tools_not_removed": _("Confirm that all tools and materials have been removed."),
        "stage_locked": _("This step is not open yet. Finish the earlier steps first."),
        "stage_completed": _("This step is already complete and can no longer be changed."),
        "job_paused": _("The job is paused after a serious incident. Please wait for your supervisor."),
        "job_blocked": _(
            "The job is blocked because the site was marked not safe. Your supervisor has been told."
        ),
        "wrong_status": _("This cannot be done at this point of the job."),
        "safety_needs_answer": _("Please answer safe or not safe."),
    }
    return texts.get(code, _("That checklist item does not exist."))


def refusal_texts(refusals: list[Refusal], stages: list[dict], lang: str) -> list[str]:
    """Every refusal as a sentence, in order."""
    return [refusal_text(r, stages, lang) for r in refusals]


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
        "truncated": _("The photo arrived incomplete. Please try the upload again."),
    }
    return texts.get(error.code, _("The photo could not be read. Please try again."))
