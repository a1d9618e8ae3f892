"""Incidents and emergencies (seed 000 §7): types, severities, emergency plans, the response timeline.

Each incident type has an emergency plan (7.1): ordered immediate steps in both languages and the
numbers to call. A severe incident alerts a supervisor at once; the response runs reported →
acknowledged → resolved (7.2), and a severe incident is closed only with a short after-action
evaluation — what worked, what to change (7.5). The figures count the response times and the
evaluations.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class IncidentType(StrEnum):
    INJURY = "injury"
    FALL = "fall"
    FIRE = "fire"
    ELECTRICAL = "electrical"
    CHEMICAL_EXPOSURE = "chemical_exposure"
    PROPERTY_DAMAGE = "property_damage"
    CUSTOMER_DISPUTE = "customer_dispute"
    UNSAFE_SITE = "unsafe_site"  # raised by a "not safe" answer in the safety check
    OTHER = "other"


class IncidentSeverity(StrEnum):
    """In rising order: the last one is the most severe."""

    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"


class IncidentStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# The level that stops the work and alerts a supervisor at once: the highest there is.
ALERT_SEVERITY = list(IncidentSeverity)[-1]


def alerts_supervisor(severity: IncidentSeverity | str) -> bool:
    """Whether an incident of this severity alerts a supervisor at once (and pauses the job)."""
    return IncidentSeverity(severity) == ALERT_SEVERITY


class Call(StrEnum):
    """The numbers an emergency plan can tell the worker to call; "company" is the company's phone."""

    AMBULANCE = "120"
    FIRE_SERVICE = "119"
    POLICE = "110"
    COMPANY = "company"


MAX_STEPS = 12
MAX_STEP_CHARS = 300


class CloseProblem(StrEnum):
    """What is missing when an incident cannot be closed yet."""

    RESOLUTION = "resolution"
    WORKED = "worked"
    TO_CHANGE = "to_change"


def close_problems(severity: IncidentSeverity | str, resolution: str, worked: str, to_change: str) -> list:
    """What closing an incident still needs: how it was resolved, and for a severe one the evaluation."""
    problems = []
    if not (resolution or "").strip():
        problems.append(CloseProblem.RESOLUTION)
    if alerts_supervisor(severity):
        if not (worked or "").strip():
            problems.append(CloseProblem.WORKED)
        if not (to_change or "").strip():
            problems.append(CloseProblem.TO_CHANGE)
    return problems


# --- emergency plans in the catalogue file --------------------------------------------------------


class PlanError(ValueError):
    """A plan that cannot be stored; the message names the place."""


def check_plan(entry: Any, path: str) -> dict:
    """Check one plan entry {incident_type, calls, steps}; returns it normalised.

    Raises PlanError naming the place (the catalogue file adds the line).
    """
    if not isinstance(entry, dict):
        raise PlanError(f"{path}: must be a mapping")
    kind = entry.get("incident_type")
    if kind not in {t.value for t in IncidentType}:
        raise PlanError(f"{path}.incident_type: must be one of {', '.join(IncidentType)}")
    calls = entry.get("calls", [])
    if not isinstance(calls, list) or not calls:
        raise PlanError(f"{path}.calls: must list at least one of {', '.join(Call)}")
    checked_calls = []
    for i, call in enumerate(calls):
        if str(call) not in {c.value for c in Call}:
            raise PlanError(f"{path}.calls[{i}]: must be one of {', '.join(Call)}")
        if str(call) in checked_calls:
            raise PlanError(f"{path}.calls[{i}]: '{call}' is listed twice")
        checked_calls.append(str(call))
    steps = entry.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise PlanError(f"{path}.steps: must list 1 to {MAX_STEPS} steps")
    checked_steps = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise PlanError(f"{path}.steps[{i}]: must have zh_CN and en texts")
        texts = {}
        for lang in ("zh_CN", "en"):
            text = step.get(lang)
            if not isinstance(text, str) or not text.strip():
                raise PlanError(f"{path}.steps[{i}].{lang}: is missing")
            if len(text.strip()) > MAX_STEP_CHARS:
                raise PlanError(f"{path}.steps[{i}].{lang}: is longer than {MAX_STEP_CHARS} characters")
            texts[lang] = text.strip()
        checked_steps.append(texts)
    return {"incident_type": kind, "calls": checked_calls, "steps": checked_steps}


def steps_from_rows(rows: list[tuple[str, str]]) -> list[dict]:
    """Steps from the plan editor's rows of (Chinese, English); empty rows are dropped.

    PlanError, naming the step, when a row has one language only.
    """
    steps = []
    for zh, en in rows:
        zh, en = (zh or "").strip(), (en or "").strip()
        if not zh and not en:
            continue
        if not zh or not en:
            missing = "Chinese" if not zh else "English"
            raise PlanError(f"step {len(steps) + 1}: the {missing} text is missing")
        steps.append({"zh_CN": zh, "en": en})
    return steps


def missing_plans(plan_types: Iterable[str]) -> list[IncidentType]:
    """The incident types that have no plan among the given ones."""
    have = set(plan_types)
    return [t for t in IncidentType if t.value not in have]


# --- the response timeline and its figures ---------------------------------------------------------


@dataclass(frozen=True)
class IncidentTimes:
    """One incident as the figures see it."""

    severity: IncidentSeverity
    reported_at: datetime
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    evaluated: bool = False


@dataclass(frozen=True)
class IncidentFigures:
    reported: int
    severe: int
    acknowledged_severe: int
    minutes_to_acknowledge: float | None  # median over severe incidents acknowledged
    hours_to_resolve: float | None  # median over incidents closed
    severe_closed: int
    evaluated: int  # severe incidents closed with an after-action evaluation


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def incident_figures(incidents: Iterable[IncidentTimes]) -> IncidentFigures:
    """Counts and median response times of a set of incidents (say, those reported in a period)."""
    rows = list(incidents)
    severe = [r for r in rows if alerts_supervisor(r.severity)]
    acknowledged = [r for r in severe if r.acknowledged_at is not None]
    closed = [r for r in rows if r.closed_at is not None]
    severe_closed = [r for r in severe if r.closed_at is not None]
    return IncidentFigures(
        reported=len(rows),
        severe=len(severe),
        acknowledged_severe=len(acknowledged),
        minutes_to_acknowledge=_median(
            [(r.acknowledged_at - r.reported_at).total_seconds() / 60 for r in acknowledged]
        ),
        hours_to_resolve=_median([(r.closed_at - r.reported_at).total_seconds() / 3600 for r in closed]),
        severe_closed=len(severe_closed),
        evaluated=sum(1 for r in severe_closed if r.evaluated),
    )
