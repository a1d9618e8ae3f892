"""The customer's rating of a job, given on their own phone through the record link. Logged and
committed here.

One rating per job: given once, changed freely for RATING_EDITABLE_FOR, then kept as it is. A low
rating (hk.domain.feedback.opens_complaint) opens a complaint case by itself, channel "survey", so
that no unhappy customer falls through. That case's client key is the job's own, so a double tap, two
requests at the same instant, or a rating changed from high to low and back open one case at most.
A rating changed from low to high keeps its case: a person closes it, after talking to the customer.
The rating, its event and the case it opens are one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from hk.aftersales import cases, notify
from hk.aftersales.words import aspect_label
from hk.database import lock_for_write
from hk.domain import feedback
from hk.domain.complaints import Channel
from hk.domain.feedback import Aspect
from hk.domain.workflow import Refusal, WorkflowError
from hk.extensions import db
from hk.models import Complaint, Job, Rating, record_event, utcnow


@dataclass(frozen=True)
class Scores:
    """What the customer gave: overall 1–5, each aspect 1–5 or None, recommend 0–10 or None."""

    overall: int
    aspects: dict[Aspect, int | None]
    recommend: int | None = None
    comment: str = ""

    def values(self) -> dict:
        return {
            "overall": self.overall,
            **{aspect.value: self.aspects.get(aspect) for aspect in Aspect},
            "recommend": self.recommend,
            "comment": self.comment.strip(),
        }


@dataclass(frozen=True)
class Rated:
    rating: Rating
    changed: bool  # False: the same scores again (a double tap), nothing written
    opened: Complaint | None  # the case this rating opened just now, if any


def rating_of(job_id: int) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.job_id == job_id))


def scores_of(rating: Rating) -> Scores:
    return Scores(
        overall=rating.overall,
        aspects={aspect: getattr(rating, aspect.value) for aspect in Aspect},
        recommend=rating.recommend,
        comment=rating.comment or "",
    )


def survey_key(job: Job) -> str:
    """The client key of the one case a job's ratings may open."""
    return f"rating-{job.id}"


def check(scores: Scores, staff_browser: bool) -> list[Refusal]:
    """Why these scores cannot be taken (empty when they can): out of range, or not the customer's phone."""
    return feedback.check_rater(staff_browser) or feedback.check_rating(
        scores.overall, scores.aspects, scores.recommend
    )


def rate(job: Job, scores: Scores, *, staff_browser: bool = False, now: datetime | None = None) -> Rated:
    """Give or change the job's rating; WorkflowError when out of range, locked, or not on the customer's
    own phone."""
    now = now or utcnow()
    refusals = check(scores, staff_browser)
    if refusals:
        raise WorkflowError(refusals)
    job = lock_for_write(Job, job.id)  # a twin request waits here, then finds this rating
    rating = rating_of(job.id)
    values = scores.values()
    changed = True
    if rating is None:
        rating = Rating(
            job=job,
            customer_id=job.customer_id,
            worker_id=job.worker_id,  # kept for the worker's figures, even if the job is reassigned
            rated_at=now,
            updated_at=now,
            **values,
        )
        db.session.add(rating)
        db.session.flush()
        record_event(None, "rating", rating.id, "rating.give", job=job.id, **values)
    else:
        before = scores_of(rating).values()
        changed = before != values
        if changed:
            refused = feedback.check_rating_change(rating.rated_at, now)
            if refused:
                raise WorkflowError(refused)
            for name, value in values.items():
                setattr(rating, name, value)
            rating.updated_at = now
            diff = {k: [before[k], v] for k, v in values.items() if before[k] != v}
            record_event(None, "rating", rating.id, "rating.change", job=job.id, changes=diff)
    opened = None
    if rating.complaint_id is None and feedback.opens_complaint(
        scores.overall, scores.aspects, scores.comment
    ):
        opened = _open_survey_case(job, scores, now)
        rating.complaint = opened
    outgoing = notify.case_opened(opened) if opened is not None else []
    db.session.commit()
    notify.send(outgoing)
    return Rated(rating, changed, opened)


def _open_survey_case(job: Job, scores: Scores, now: datetime) -> Complaint:
    """The case a low rating opens (flushed; the caller commits it with the rating)."""
    return cases.open_case(
        customer=job.customer,
        job=job,
        channel=Channel.SURVEY,
        category=feedback.complaint_category(scores.aspects),
        description=describe(scores),
        client_key=survey_key(job),
        actor=None,
        now=now,
        commit=False,
    )


def describe(scores: Scores) -> str:
    """The case's description: the customer's words, then the scores, in the company's language."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        parts = [_("Overall %(score)d/5", score=scores.overall)]
        parts += [
            f"{aspect_label(aspect)} {score}/5"
            for aspect, score in scores.aspects.items()
            if score is not None
        ]
        if scores.recommend is not None:
            parts.append(_("Would recommend %(score)d/10", score=scores.recommend))
        heading = _("Rating on the customer's link:")
    line = f"{heading} " + " · ".join(parts)
    comment = scores.comment.strip()
    return f"{comment}\n\n{line}" if comment else line
