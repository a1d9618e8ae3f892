"""How the job screens answer: a change of screen, the stage page, and clear refusals.

Shared by the job routes (hk.jobs.routes) and the evidence routes (hk.jobs.evidence).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import make_response, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from hk.domain.catalogue import StageKind
from hk.domain.workflow import Refusal, RefusalCode, Status, WorkflowError
from hk.extensions import db, htmx
from hk.jobs import service
from hk.jobs.forms import HandoverForm, HandoverItemForm, PreServiceForm
from hk.jobs.messages import refusal_texts
from hk.jobs.views import current_stage_code, stage_context
from hk.models import Job
from hk.views_helpers import current_lang


def redirect_to(endpoint: str, **values):
    """A change of screen: HX-Redirect for htmx, 303 for a plain browser."""
    url = url_for(endpoint, **values)
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def to_current_screen(job: Job):
    """Straight to the screen the job's page would send its worker on to: the open stage, or the job's
    page when there is none (check-in, waiting, done). A phone makes one request instead of two."""
    code = None if job.status == Status.SCHEDULED else current_stage_code(job)
    if code:
        return redirect_to("jobs.show_stage", job_id=job.id, stage_code=code)
    return redirect_to("jobs.show_job", job_id=job.id)


def in_messages(html: str, status: int):
    """An htmx answer shown in the stage's message box instead of the element that asked."""
    response = make_response(html, status)
    response.headers["HX-Retarget"] = "#stage-messages"
    response.headers["HX-Reswap"] = "innerHTML show:top"
    return response


def conflict(job: Job, stale: bool = False):
    """The second device sees why it cannot change the job, and how to take it over."""
    if htmx:
        return in_messages(render_template("jobs/_conflict.html", job=job, stale=stale), 409)
    if request.headers.get("X-Requested-With") == "fetch":
        # A photo upload (photos.js): a short message and the take-over button, shown by the photo.
        return render_template("jobs/_photo_conflict.html", job=job, stale=stale), 409
    return render_template("jobs/conflict.html", job=job, stale=stale), 409


def refused(job: Job, error: WorkflowError, stage_code: str | None = None):
    messages = refusal_texts(error.refusals, job.stages, current_lang())
    if htmx:
        return in_messages(render_template("jobs/_messages.html", messages=messages), 409)
    if stage_code:
        return render_stage(job, stage_code, errors=messages, status=409)
    return render_template("jobs/refused.html", job=job, messages=messages), 409


@dataclass
class Missing:
    """A message of a refused "step complete" that names something on the page, and where it is."""

    text: str
    href: str


def refused_completion(job: Job, error: WorkflowError, stage_code: str):
    """A refused "step complete": each reason links to what it names, and those items are marked.

    htmx gets the stage's section back in place of the old one; the message box takes the focus.
    """
    lang = current_lang()
    missing: dict[str, list[str]] = {}
    messages: list = []
    # An item still without its photo is named once, for the photo: the tick comes after it.
    photo_first = {r.params.get("item") for r in error.refusals if r.code == RefusalCode.PHOTO_MISSING}
    for refusal in error.refusals:
        if refusal.code == RefusalCode.ITEM_MISSING and refusal.params.get("item") in photo_first:
            continue
        text = refusal_texts([refusal], job.stages, lang)[0]
        item = refusal.params.get("item")
        if item:
            missing.setdefault(str(item), []).append(str(refusal.code))
            messages.append(Missing(text, f"#item-{item}"))
        elif refusal.code in FACT_ANCHORS:
            messages.append(Missing(text, FACT_ANCHORS[refusal.code]))
        else:
            messages.append(text)
    facts = {str(r.code) for r in error.refusals if r.code in FACT_ANCHORS}
    return render_stage(
        job,
        stage_code,
        errors=messages,
        status=409,
        missing=missing,
        missing_facts=facts,
        fragment=bool(htmx),
    )


# Facts of the pre-service and handover forms a refusal can name, and where they are on the page.
FACT_ANCHORS = {
    RefusalCode.QUOTE_NOT_CONFIRMED: "#confirm-quote-field",
    RefusalCode.TOOLS_NOT_REMOVED: "#tools-removed-field",
}


def render_stage(
    job: Job,
    stage_code: str,
    errors=None,
    status=200,
    missing: dict[str, list[str]] | None = None,
    missing_facts: set[str] | frozenset = frozenset(),
    fragment: bool = False,
    **forms,
):
    """The stage page (or, as `fragment`, only its section), with refusals and the items they name."""
    if not any(s["code"] == stage_code for s in job.stages):
        # A step this job does not have (a hand-made request): say so, never a broken page.
        messages = errors or refusal_texts([Refusal(RefusalCode.UNKNOWN_STAGE)], job.stages, current_lang())
        return render_template("jobs/refused.html", job=job, messages=messages), max(status, 404)
    ctx = stage_context(job, stage_code, current_lang(), missing)
    ctx["missing_facts"] = missing_facts
    kind = ctx["stage"]["kind"]
    # Only the forms this stage shows: each form costs a CSRF token and a round of field set-up.
    if kind == StageKind.PRE_SERVICE:
        ctx["pre_form"] = forms.get("pre_form") or PreServiceForm(
            formdata=None,
            valuables=job.valuables_notes,
            requests=job.special_requests,
            confirm_quote=job.quote_confirmed_at is not None,
        )
    if kind == StageKind.POST_SERVICE:
        ctx["handover_form"] = forms.get("handover_form") or HandoverForm(
            formdata=None, tools_removed=job.tools_removed, remarks=job.handover_remarks
        )
        ctx["handover_item_form"] = forms.get("handover_item_form") or HandoverItemForm(
            formdata=None, client_key=secrets.token_urlsafe(12)
        )
    template = "jobs/_stage_section.html" if fragment else "jobs/stage.html"
    return render_template(template, errors=errors or [], **ctx), status


def guarded(job: Job, stage_code: str | None, action, on_refusal=None):
    """Run a service call; turn refusals, device conflicts and stale saves into clear answers.

    `on_refusal(error)` answers a refusal in a way of its own (next to the item that was tapped)."""
    try:
        action()
    except service.DeviceConflict:
        db.session.rollback()
        return conflict(job)
    except WorkflowError as error:
        db.session.rollback()
        if on_refusal is not None:
            return on_refusal(error)
        return refused(job, error, stage_code)
    except StaleDataError:
        db.session.rollback()
        return conflict(job, stale=True)
    return None
