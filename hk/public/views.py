"""What the customer's link shows: one function builds the page, so a refused form shows the same
page as a fresh one (with its message beside the form). Shared by the record routes (routes.py) and
the feedback routes (feedback.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask import g, render_template
from flask_babel import gettext as _
from flask_babel import refresh
from sqlalchemy import select

from hk.aftersales import customer_cases, ratings
from hk.aftersales.cases import customer_view
from hk.aftersales.words import ASPECT_LABELS, CATEGORY_LABELS, STATUS_TEXT
from hk.auth.access import staff_browser
from hk.domain.complaints import CUSTOMER_CATEGORIES, MAX_CUSTOMER_PHOTOS, CaseStatus
from hk.domain.feedback import RATING_EDITABLE_FOR, Aspect, rating_locked
from hk.domain.workflow import Refusal, RefusalCode
from hk.extensions import db
from hk.models import CaseReply, Complaint, CustomerLink, SignOff, utcnow
from hk.public.forms import MessageForm, ProblemForm, RatingForm, ReopenForm
from hk.records import links
from hk.records import service as records
from hk.records.links import LinkState
from hk.records.render import record_number
from hk.refusals import refusal_text


def open_link(token: str):
    """The customer link behind a token, and None; or None and the error page (404 invalid, 410 expired
    or withdrawn). A usable link also sets the page's language to the record's, unless the person chose."""
    link, state = links.link_for_token(token)
    if state == LinkState.OK:
        g.hk_page_lang = _record_language(link.job_id)
        refresh()
        return link, None
    if state == LinkState.EXPIRED:
        message, status = _("This link has expired. Please ask the company for a new one."), 410
    elif state == LinkState.WITHDRAWN:
        message, status = _("This link has been withdrawn. Please ask the company for a new one."), 410
    else:
        message, status = _("This link is not valid. Please check that it was copied completely."), 404
    return None, (render_template("public/link_error.html", message=message), status)


def _record_language(job_id: int) -> str | None:
    record = records.current_record(job_id)
    if record is not None:
        return record.language
    return db.session.scalar(select(SignOff.language).where(SignOff.job_id == job_id))


def texts(refusals) -> list[str]:
    return [refusal_text(r) for r in refusals]


@dataclass
class CaseView:
    """One of the customer's cases as their page shows it."""

    case: Complaint
    messages: list[CaseReply]
    title: str
    hint: str
    message_form: MessageForm
    reopen_form: ReopenForm
    errors: list[str] = field(default_factory=list)
    open_reopen: bool = False  # the reopen box unfolded (after a refusal in it)
    open_message: bool = False  # the message box unfolded (likewise)

    @property
    def can_write(self) -> bool:
        return self.case.status != CaseStatus.CLOSED

    @property
    def can_confirm(self) -> bool:
        return self.case.status == CaseStatus.RESOLVED

    @property
    def can_reopen(self) -> bool:
        return self.case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)

    @property
    def own_words(self) -> bool:
        """The description is the customer's own (their link or their rating), not a note staff typed."""
        return self.case.created_by_id is None


def _case_view(case: Complaint, refused: dict | None) -> CaseView:
    title, hint = STATUS_TEXT[case.status]
    mine = refused if refused and refused.get("case_id") == case.id else {}
    return CaseView(
        case=case,
        messages=customer_view(case),
        title=str(title),
        hint=str(hint),
        message_form=mine.get("message_form") or MessageForm(formdata=None, client_key=_key()),
        reopen_form=mine.get("reopen_form") or ReopenForm(formdata=None, client_key=_key()),
        errors=mine.get("errors", []),
        open_reopen="reopen_form" in mine,
        open_message="message_form" in mine,
    )


def _key() -> str:
    return secrets.token_urlsafe(12)


def _rating_values(refused: RatingForm | None, rating) -> dict:
    """The scores to show as chosen: what was just sent (a refused rating), else the rating given."""
    if refused is not None:
        return {
            name: (refused[name].data or "") for name in ("overall", "recommend", *[a.value for a in Aspect])
        }
    if rating is None:
        return {}
    return {
        name: str(value) if value is not None else ""
        for name, value in ratings.scores_of(rating).values().items()
        if name != "comment"
    }


def customer_page(
    link: CustomerLink,
    token: str,
    *,
    status: int = 200,
    rating_form: RatingForm | None = None,
    rating_errors: list[str] | None = None,
    problem_form: ProblemForm | None = None,
    problem_errors: list[str] | None = None,
    case_refused: dict | None = None,
):
    """The customer's page: their record, then their rating, a way to report a problem, their cases."""
    job = link.job
    record = records.current_record(job.id)
    ctx = {
        "link": link,
        "token": token,
        "record": record,
        "number": record_number(record) if record else None,
        "staff_browser": staff_browser(),
        "own_phone_text": refusal_text(Refusal(RefusalCode.OWN_PHONE_ONLY)),
    }
    if not ctx["staff_browser"]:  # a staff phone sees the record only: see hk.domain.feedback.check_rater
        rating = ratings.rating_of(job.id)
        now = utcnow()
        locked = rating is not None and rating_locked(rating.rated_at, now)
        refused_rating = rating_form
        if rating_form is None and rating is not None:
            rating_form = RatingForm(formdata=None, comment=rating.comment)
        ctx.update(
            rating=rating,
            rating_locked=locked,
            editable_until=rating.rated_at + RATING_EDITABLE_FOR if rating is not None else None,
            editable_days=RATING_EDITABLE_FOR.days,
            rating_form=rating_form or RatingForm(formdata=None),
            rating_values=_rating_values(refused_rating, rating),
            rating_errors=rating_errors or [],
            rating_open=bool(rating_errors),
            aspects=[(a.value, ASPECT_LABELS[a]) for a in Aspect],
            problem_form=problem_form or ProblemForm(formdata=None, client_key=_key()),
            problem_errors=problem_errors or [],
            problem_open=problem_form is not None,
            categories=[(c.value, CATEGORY_LABELS[c]) for c in CUSTOMER_CATEGORIES],
            max_photos=MAX_CUSTOMER_PHOTOS,
            cases=[_case_view(c, case_refused) for c in customer_cases.cases_of_job(job.id)],
            category_labels=CATEGORY_LABELS,
        )
    return render_template("public/customer.html", **ctx), status
