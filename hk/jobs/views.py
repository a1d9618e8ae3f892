"""What the job templates show, gathered in one place so templates never query."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from hk.domain import workflow
from hk.domain.catalogue import StageKind
from hk.domain.workflow import JobFacts, Status
from hk.extensions import db
from hk.jobs.service import facts_for
from hk.models import ItemCheck, Job, Photo, photos_of
from hk.models.catalog import pick


@dataclass
class Step:
    code: str
    kind: str
    name: str
    state: str  # "done", "open", "locked"


@dataclass
class ItemView:
    stage_code: str
    code: str
    label: str
    required: bool
    photo_required: bool
    safety: bool
    answer: str | None
    note: str | None
    photos: list[Photo] = field(default_factory=list)
    allows_na: bool = False
    # Why a refused "step complete" named this item ("item_missing", "photo_missing", "not_safe").
    missing: list[str] = field(default_factory=list)


def steps(job: Job, facts: JobFacts, lang: str) -> list[Step]:
    """The stages of the job in order, each done, open or locked."""
    result = []
    for stage in job.stages:
        if stage["code"] in facts.completed_stages:
            state = "done"
        elif workflow.stage_is_open(facts, stage["code"]):
            state = "open"
        else:
            state = "locked"
        result.append(
            Step(stage["code"], stage["kind"], pick(stage["name"]["zh_CN"], stage["name"]["en"], lang), state)
        )
    return result


def item_view(
    job: Job, stage: dict, item: dict, lang: str, photos: list[Photo], missing: list[str] | None = None
) -> ItemView:
    """One checklist item with its answer, note and photos (and, after a refusal, what it lacks)."""
    check: ItemCheck | None = next(
        (c for c in job.checks if (c.stage_code, c.item_code) == (stage["code"], item["code"])), None
    )
    return ItemView(
        stage_code=stage["code"],
        code=item["code"],
        label=pick(item["label"]["zh_CN"], item["label"]["en"], lang),
        required=item["required"],
        photo_required=item["photo_required"],
        safety=item["safety"] or stage["kind"] == StageKind.SAFETY,
        answer=str(check.answer) if check and check.answer else None,
        note=check.note if check else None,
        photos=[p for p in photos if p.item_code == item["code"]],
        allows_na=workflow.allows_na(item),
        missing=missing or [],
    )


def item_photos(job: Job, stage_code: str, item_code: str) -> list[Photo]:
    """One item's photos, oldest first."""
    return list(
        db.session.scalars(
            select(Photo)
            .where(
                Photo.job_id == job.id,
                Photo.incident_id.is_(None),
                Photo.stage_code == stage_code,
                Photo.item_code == item_code,
            )
            .order_by(Photo.uploaded_at, Photo.id)
        )
    )


def item_context(
    job: Job, stage_code: str, item_code: str, lang: str, photos: list[Photo] | None = None
) -> dict:
    """What one item's fragment needs (a tick answers with it): the item, and whether its stage is open.

    `photos` read beforehand (in the tick's own transaction) spare the answer a second transaction.
    """
    facts = facts_for(job)
    stage = facts.stage(stage_code)
    item = next(i for i in stage["items"] if i["code"] == item_code)
    if photos is None:
        photos = item_photos(job, stage_code, item_code)
    return {
        "job": job,
        "is_open": workflow.stage_is_open(facts, stage_code),
        "it": item_view(job, stage, item, lang, photos),
    }


def waits_for(all_steps: list[Step], position: int, status: str) -> list[str]:
    """The earlier steps a locked step waits for, while the job goes on (not paused or blocked).

    Its page then also carries the step as it will be once they are complete (jobs/stage.html), for the
    phone to open when it completed them without signal (static/js/offline_stage.js).
    """
    step = all_steps[position]
    if step.state != "locked" or status not in workflow.ACTIVE:
        return []
    return [s.code for s in all_steps[:position] if s.state != "done"]


def stage_context(job: Job, stage_code: str, lang: str, missing: dict[str, list[str]] | None = None) -> dict:
    """Everything the stage screen needs; `missing` marks the items a refused completion named."""
    facts = facts_for(job)
    stage = facts.stage(stage_code)
    photos = photos_of(job, stage_code)
    missing = missing or {}
    all_steps = steps(job, facts, lang)
    position = next(i for i, s in enumerate(all_steps) if s.code == stage_code)
    return {
        "job": job,
        "stage": stage,
        "stage_name": pick(stage["name"]["zh_CN"], stage["name"]["en"], lang),
        "steps": all_steps,
        "progress": progress(all_steps, position),
        "is_open": workflow.stage_is_open(facts, stage_code),
        "is_done": stage_code in facts.completed_stages,
        "waits_for": waits_for(all_steps, position, facts.status),
        "items": [
            item_view(job, stage, item, lang, photos, missing.get(item["code"])) for item in stage["items"]
        ],
        "stage_photos": [p for p in photos if p.item_code is None],
        "quote_total": job.quote_total,
        "tools": [pick(t["zh_CN"], t["en"], lang) for t in job.template_snapshot.get("tools", [])],
        "materials": [pick(m["zh_CN"], m["en"], lang) for m in job.template_snapshot.get("materials", [])],
    }


@dataclass
class Progress:
    """Where the worker is among the job's steps: "Step 3 of 8", how many are done, what comes next."""

    number: int  # the shown step, counted from 1
    total: int
    done: int
    current: Step | None  # the step open for work now, if any
    following: Step | None  # the step after the shown one


def progress(all_steps: list[Step], position: int) -> Progress:
    """The progress strip's figures for the step at `position`."""
    return Progress(
        number=position + 1,
        total=len(all_steps),
        done=sum(s.state == "done" for s in all_steps),
        current=next((s for s in all_steps if s.state == "open"), None),
        following=all_steps[position + 1] if position + 1 < len(all_steps) else None,
    )


def current_stage_code(job: Job) -> str | None:
    """The stage open for work now, if any."""
    stage = workflow.open_stage(facts_for(job))
    return stage["code"] if stage else None


def is_waiting(job: Job) -> bool:
    """True when the worker can do nothing but wait or hand over to the customer."""
    return job.status in (
        Status.PAUSED,
        Status.BLOCKED,
        Status.AWAITING_SIGNATURE,
        Status.COMPLETED,
        Status.CANCELLED,
    )
