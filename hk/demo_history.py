"""Jobs done in the past for the demo company, and what came after them: ratings, complaints, follow-ups.

`advance_job` puts a job where its worker would have it after working through the checklist (the
tests build jobs in any state with it too). `seed_history` gives a new user an after-sales desk with
something on it: signed records (made by the queue), a few ratings, a complaint whose first answer
is due within hours, one past its resolution deadline, a resolved one waiting for its follow-up call,
and customers due their follow-up this quarter.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta
from functools import cache

from flask_babel import force_locale
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from hk.aftersales import cases
from hk.domain.catalogue import StageKind
from hk.domain.complaints import CaseAction, Category, Channel, Severity
from hk.domain.feedback import FollowUpChannel
from hk.domain.workflow import OPEN_KIND, STAGE_PHOTO_KIND, Answer, Status
from hk.extensions import db
from hk.jobs.service import build_quote
from hk.models import (
    Customer,
    Event,
    FollowUp,
    ItemCheck,
    Job,
    Photo,
    Rating,
    ServiceType,
    SignOff,
    SignOffKind,
    StageCompletion,
    User,
    record_event,
    utcnow,
)
from hk.photos import ProcessedPhoto, process_photo
from hk.queue import enqueue, make_record
from hk.records.review import review_data, review_digest
from hk.sign.service import consent_sentence, finish
from hk.storage import get_storage

HISTORY_MARK = "demo.history"

# The stage kind open in each state a job reaches by working through its checklist, in order.
_OPEN_KIND_OF = {**OPEN_KIND, Status.AWAITING_SIGNATURE: None}
_KIND_ORDER = list(StageKind)


@cache
def _processed_photo() -> ProcessedPhoto:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 200)).save(buf, "JPEG")
    return process_photo(buf.getvalue())


def _add_photo(job: Job, stage: dict, item: dict, at: datetime) -> None:
    processed = _processed_photo()
    storage = get_storage()
    db.session.add(
        Photo(
            job_id=job.id,
            stage_code=stage["code"],
            item_code=item["code"],
            kind=STAGE_PHOTO_KIND[stage["kind"]],
            storage_key=storage.put(processed.image, "photos", ".jpg"),
            thumb_key=storage.put(processed.thumb, "thumbs", ".jpg"),
            print_key=storage.put(processed.print_image, "prints", ".jpg"),
            sha256=processed.sha256,
            width=processed.width,
            height=processed.height,
            size_bytes=len(processed.image),
            client_key=f"builder-{job.id}-{stage['code']}-{item['code']}",
            uploaded_by_id=job.worker_id,
            uploaded_at=at,
        )
    )


def advance_job(job: Job, state: Status | str, photos: bool = True, at: datetime | None = None) -> Job:
    """Put a scheduled job where the worker would have it after working through the checklist.

    Every stage before the open one (all of them for "awaiting_signature") is done as the phone does
    it: each item answered (done, or safe in the safety check), a photo for each item that needs one
    (`photos=False` leaves them out), the quote confirmed with the customer's valuables noted, the
    tools removed with a remark, and the stage completed, at `at` (now by default). No events are
    logged.
    """
    state = Status(state)
    if state not in _OPEN_KIND_OF:
        raise ValueError(f"a job cannot be built in state {state!r}")
    open_kind = _OPEN_KIND_OF[state]
    now = at or utcnow()
    job.checked_in_at = now
    for stage in job.stages:
        if open_kind is not None and _KIND_ORDER.index(stage["kind"]) >= _KIND_ORDER.index(open_kind):
            break
        for item in stage["items"]:
            answer = Answer.SAFE if stage["kind"] == StageKind.SAFETY else Answer.DONE
            job.checks.append(
                ItemCheck(
                    stage_code=stage["code"],
                    item_code=item["code"],
                    answer=answer,
                    checked_by_id=job.worker_id,
                    checked_at=now,
                )
            )
            if photos and item["photo_required"]:
                _add_photo(job, stage, item, now)
        if stage["kind"] == StageKind.PRE_SERVICE:
            job.quote_confirmed_at, job.quote_confirmed_total = now, job.quote_total
            job.valuables_notes = "玉镯在卧室梳妆台"
        if stage["kind"] == StageKind.POST_SERVICE:
            job.tools_removed, job.handover_remarks, job.handover_completed_at = True, "客户满意", now
        job.completions.append(
            StageCompletion(stage_code=stage["code"], completed_by_id=job.worker_id, completed_at=now)
        )
    job.status = state
    db.session.commit()
    return job


def _signature(name: str) -> bytes:
    """A drawn signature, as the signing pad sends it once flattened."""
    img = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(img)
    seed = sum(name.encode())
    points = [(40 + i * 45, 100 + ((seed * (i + 3)) % 70) - 35) for i in range(12)]
    draw.line(points, fill="black", width=5, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def sign_job(job: Job, signer: str, lang: str, at: datetime) -> None:
    """The customer signs a job awaiting signature; its record is then made by the queue."""
    signature = _signature(signer)
    with force_locale(lang):
        consent = consent_sentence()
    signoff = SignOff(
        job_id=job.id,
        kind=SignOffKind.SIGNED,
        signer_name=signer,
        signature_key=get_storage().put(signature, "signatures", ".png"),
        signature_sha256=hashlib.sha256(signature).hexdigest(),
        consent_text=consent,
        language=lang,
        shown_hash=review_digest(review_data(job)),
        witnessed_by_id=job.worker_id,
        signed_at=at,
    )
    record = finish(job, db.session.get(User, job.worker_id), signoff)
    enqueue(make_record, record.id)


# days ago, worker, customer index, service type, signer, language
PAST_JOBS = [
    (40, "worker1", 0, "daily_cleaning", "周丽", "zh_CN"),
    (20, "worker2", 1, "deep_cleaning", "Thomas Becker", "en"),
    (15, "worker1", 1, "daily_cleaning", "Thomas Becker", "en"),
    (9, "worker2", 0, "daily_cleaning", "周丽", "zh_CN"),
    (3, "worker1", 2, "kitchen_appliance_cleaning", "吴建国", "zh_CN"),
]


def _past_job(n: int, days_ago: int, worker: User, customer: Customer, code: str, now: datetime) -> Job:
    start = (now - timedelta(days=days_ago)).replace(hour=1, minute=30, second=0, microsecond=0)
    service_type = db.session.scalar(select(ServiceType).where(ServiceType.code == code))
    template = service_type.current_template
    job = Job(
        number=f"H{start:%Y%m%d}-{n:02d}",
        customer=customer,
        service_type=service_type,
        template=template,
        worker=worker,
        scheduled_start=start,
        scheduled_end=start + timedelta(hours=3),
        template_snapshot=template.snapshot(),
    )
    build_quote(job)
    db.session.add(job)
    db.session.commit()
    return advance_job(job, Status.AWAITING_SIGNATURE, at=start + timedelta(hours=2))


def _rate(job: Job, overall: int, recommend: int, comment: str, at: datetime, **aspects) -> Rating:
    rating = Rating(
        job_id=job.id,
        customer_id=job.customer_id,
        worker_id=job.worker_id,
        overall=overall,
        recommend=recommend,
        comment=comment,
        rated_at=at,
        updated_at=at,
        **aspects,
    )
    db.session.add(rating)
    db.session.commit()
    return rating


def seed_history(users: dict[str, User], customers: list[Customer], now: datetime | None = None) -> bool:
    """Past jobs and their after-sales, once per demo database; False when already there."""
    if db.session.scalar(select(func.count(Event.id)).where(Event.action == HISTORY_MARK)):
        return False
    now = now or utcnow()
    supervisor, admin = users["supervisor"], users["admin"]
    jobs = []
    for n, (days_ago, worker, c_index, code, signer, lang) in enumerate(PAST_JOBS, start=1):
        job = _past_job(n, days_ago, users[worker], customers[c_index], code, now)
        sign_job(job, signer, lang, job.scheduled_end)
        jobs.append(job)
    first, becker, becker_again, zhou_late, wu = jobs
    _rate(
        first,
        5,
        9,
        "阿姨很细心，厨房擦得很亮",
        first.scheduled_end + timedelta(hours=5),
        quality=5,
        attitude=5,
    )
    _rate(becker, 4, 8, "Good work, a little late.", becker.scheduled_end + timedelta(days=1), punctuality=3)

    # A low rating three days ago, opened as a case 21 hours ago: its first answer is due in 3 hours.
    received = now - timedelta(hours=21)
    case = cases.open_case(
        customer=wu.customer,
        job=wu,
        channel=Channel.SURVEY,
        category=Category.CLEANING_QUALITY,
        severity=Severity.MEDIUM,
        description="评分 2/5：油烟机内部没有清洗干净，还有油渍。",
        client_key="demo-survey",
        actor=None,
        received_at=received,
        now=now,
    )
    rating = _rate(wu, 2, 3, "油烟机内部没有清洗干净，还有油渍。", received, quality=2)
    rating.complaint_id = case.id
    cases.assign(case, supervisor, admin)

    # Lateness by phone, 80 hours ago: answered in time, but not resolved within 72 hours.
    received = now - timedelta(hours=80)
    late = cases.open_case(
        customer=zhou_late.customer,
        job=zhou_late,
        channel=Channel.PHONE,
        category=Category.LATENESS,
        severity=Severity.LOW,
        description="服务人员迟到四十分钟，没有提前打电话。",
        client_key="demo-late",
        actor=supervisor,
        received_at=received,
        owner=supervisor,
        now=now,
    )
    cases.reply(
        late,
        supervisor,
        "非常抱歉，我们正在核实当天的排班情况，会尽快给您答复。",
        "demo-r1",
        now=received + timedelta(hours=5),
    )
    cases.act(late, CaseAction.INVESTIGATE, supervisor, now=received + timedelta(hours=6))

    # Damage resolved nine days ago: its follow-up call is overdue.
    received = now - timedelta(days=11)
    damage = cases.open_case(
        customer=becker.customer,
        job=becker,
        channel=Channel.EMAIL,
        category=Category.DAMAGE_OR_LOSS,
        severity=Severity.HIGH,
        description="A glass vase in the study was chipped.",
        client_key="demo-damage",
        actor=supervisor,
        received_at=received,
        owner=admin,
        now=now,
    )
    cases.reply(
        damage,
        admin,
        "We are very sorry. We will replace the vase this week.",
        "demo-r2",
        now=received + timedelta(hours=3),
    )
    cases.act(
        damage,
        CaseAction.RESOLVE,
        admin,
        root_cause="搬动书桌时未先移开桌面摆件",
        responsible_worker=becker.worker,
        now=now - timedelta(days=9),
    )

    # One follow-up this quarter already, so the list shows both kinds of customer.
    db.session.add(
        FollowUp(
            customer=becker_again.customer,
            channel=FollowUpChannel.CALL,
            satisfied=True,
            score=4,
            notes="Happy with the regular cleaning.",
            done_at=now - timedelta(days=2),
            by=supervisor,
            client_key="demo-follow-up",
        )
    )
    record_event(None, "system", 0, HISTORY_MARK)
    db.session.commit()
    return True
