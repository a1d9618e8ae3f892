"""The rating service: one rating per job, changeable for three days, and a low rating opens one case."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hk.aftersales import ratings
from hk.aftersales.ratings import Scores
from hk.domain.complaints import CaseStatus, Category, Channel
from hk.domain.feedback import Aspect
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.models import Complaint, Event, Rating, utcnow
from tests.builders import make_job, make_user

NONE = dict.fromkeys(Aspect)


def _job():
    return make_job(make_user("worker"), state="awaiting_signature", photos=False)


def _scores(overall, comment="", recommend=None, **aspects):
    return Scores(overall, {**NONE, **{Aspect(k): v for k, v in aspects.items()}}, recommend, comment)


def _count(model):
    return db.session.scalar(select(func.count(model.id)))


def _events(action):
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == action))


def test_a_good_rating_is_kept_with_the_jobs_worker_and_opens_nothing(app):
    job = _job()
    now = utcnow()
    rated = ratings.rate(job, _scores(5, "很干净", recommend=10, quality=5, price=4), now=now)
    rating = rated.rating
    assert rated.changed and rated.opened is None
    assert (rating.overall, rating.quality, rating.punctuality, rating.price, rating.recommend) == (
        5,
        5,
        None,
        4,
        10,
    )
    assert rating.worker_id == job.worker_id and rating.customer_id == job.customer_id
    assert rating.rated_at == now and rating.comment == "很干净"
    assert _count(Complaint) == 0 and _events("rating.give") == 1


def test_the_same_scores_again_change_nothing(app):
    job = _job()
    ratings.rate(job, _scores(4, quality=4))
    again = ratings.rate(job, _scores(4, quality=4))
    assert not again.changed
    assert _count(Rating) == 1 and _events("rating.change") == 0


def test_a_low_rating_opens_one_survey_case_about_its_lowest_aspect(app):
    job = _job()
    now = utcnow()
    rated = ratings.rate(job, _scores(2, "卫生间没打扫", recommend=3, quality=1, attitude=4), now=now)
    case = rated.opened
    assert case is not None and rated.rating.complaint_id == case.id
    assert case.channel == Channel.SURVEY and case.category == Category.CLEANING_QUALITY
    assert case.job_id == job.id and case.customer_id == job.customer_id and case.created_by_id is None
    assert case.status == CaseStatus.NEW and case.received_at == now
    assert case.description.startswith("卫生间没打扫") and "总体 2/5" in case.description
    assert "清洁质量 1/5" in case.description and "推荐意愿 3/10" in case.description
    again = ratings.rate(job, _scores(2, "卫生间没打扫", recommend=3, quality=1, attitude=4), now=now)
    assert again.opened is None and _count(Complaint) == 1  # a double tap


def test_an_aspect_of_two_opens_a_case_only_with_a_comment(app):
    job = _job()
    assert ratings.rate(job, _scores(4, punctuality=2)).opened is None
    opened = ratings.rate(job, _scores(4, "迟到了四十分钟", punctuality=2)).opened
    assert opened is not None and opened.category == Category.LATENESS


def test_low_to_high_keeps_the_case_and_high_to_low_opens_it_once(app):
    job = _job()
    first = ratings.rate(job, _scores(1, "很差")).opened
    assert first.category == Category.OTHER
    ratings.rate(job, _scores(5, "补做后很好"))  # the case stays: a person closes it
    assert db.session.get(Complaint, first.id).status == CaseStatus.NEW
    assert ratings.rate(job, _scores(2, "又脏了")).opened is None
    assert _count(Complaint) == 1 and db.session.scalar(select(Rating)).complaint_id == first.id

    other = _job()
    assert ratings.rate(other, _scores(5)).opened is None
    changed = ratings.rate(other, _scores(2, "其实不满意")).opened
    assert changed is not None and changed.job_id == other.id
    assert ratings.rate(other, _scores(1, "其实不满意")).opened is None
    assert _count(Complaint) == 2


@pytest.mark.parametrize(
    "scores",
    [_scores(9), _scores(0), _scores(-1), _scores(4, quality=6), _scores(4, recommend=11)],
)
def test_out_of_range_is_refused_and_nothing_is_saved(app, scores):
    with pytest.raises(WorkflowError) as refused:
        ratings.rate(_job(), scores)
    assert [r.code for r in refused.value.refusals] == ["rating_out_of_range"]
    assert _count(Rating) == 0 and _count(Complaint) == 0


def test_a_rating_is_locked_three_days_after_it_was_given(app):
    job = _job()
    given = utcnow() - timedelta(days=3, minutes=1)
    ratings.rate(job, _scores(4), now=given)
    ratings.rate(job, _scores(4), now=utcnow())  # the same scores: nothing to refuse
    with pytest.raises(WorkflowError) as refused:
        ratings.rate(job, _scores(1, "后来发现很脏"), now=utcnow())
    assert refused.value.refusals[0].code == "rating_locked"
    db.session.rollback()
    assert db.session.scalar(select(Rating)).overall == 4 and _count(Complaint) == 0
    ratings.rate(job, _scores(3), now=given + timedelta(days=3))  # the last minute still counts
    assert db.session.scalar(select(Rating)).overall == 3


def test_a_staff_phone_cannot_rate(app):
    with pytest.raises(WorkflowError) as refused:
        ratings.rate(_job(), _scores(5), staff_browser=True)
    assert refused.value.refusals[0].code == "own_phone_only" and _count(Rating) == 0
