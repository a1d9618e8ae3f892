"""The company's complaints, their pauses and remedies, and follow-ups (see quality_data.py).

Complaints come mostly a few hours to days after a job (15 % without one); first answers take a
median of 4 hours (about 7 % later than 24 h), resolutions a median of 28 hours (about 12 % later
than 72 h) plus any pause; a complaint from the survey channel is the one a low rating opened.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from quality_data import SIZES, _insert, _pick

from hk.models import CasePause, Complaint, FollowUp, Remedy

CHANNELS = {"phone": 35, "online": 20, "survey": 15, "social": 12, "email": 8, "walk_in": 5, "follow_up": 5}
CATEGORIES = {
    "cleaning_quality": 45,
    "lateness": 15,
    "attitude": 10,
    "damage_or_loss": 10,
    "price": 10,
    "safety": 3,
    "other": 7,
}
OPEN = {"new": 10, "responded": 30, "investigating": 30, "remedy": 15}


def complaints_and_follow_ups(company) -> dict[str, int]:
    rng, now = company.rng, company.now
    low = [r for r in company.rating_rows if r["overall"] <= 2]
    jobs = {j["id"]: j for j in company.done}
    cases, pauses, remedies = [], [], []
    for cid in range(1, SIZES["complaints"] + 1):
        channel = _pick(rng, CHANNELS)
        rating = low.pop(rng.randrange(len(low))) if channel == "survey" and low else None
        if rating is None and channel == "survey":
            channel = "phone"
        job = (
            jobs[rating["job_id"]] if rating else (rng.choice(company.done) if rng.random() < 0.85 else None)
        )
        if job is not None:
            received = job["scheduled_end"] + timedelta(hours=rng.uniform(1, 120))
            customer = job["customer_id"]
        else:
            received = now - timedelta(days=rng.uniform(0, 729))
            customer = rng.randint(1, 8000)
        received = min(received, now - timedelta(minutes=30))
        if rating:
            received, rating["complaint_id"] = rating["rated_at"], cid
        case = _clocks(rng, now, received)
        if case["status"] in ("new", "responded", "investigating") and rng.random() < 0.15:
            pauses.append(_pause(len(pauses) + 1, cid, received + timedelta(hours=2), None))  # waiting now
        elif case["status"] in ("resolved", "closed") and rng.random() < 0.1:
            start = received + timedelta(hours=rng.uniform(1, 20))
            length = timedelta(hours=rng.uniform(6, 60))
            pauses.append(_pause(len(pauses) + 1, cid, start, start + length))
            case["resolved_at"] = min(case["resolved_at"] + length, now)
            if case["closed_at"]:
                case["closed_at"] = max(case["closed_at"], case["resolved_at"])
        worker = job["worker_id"] if job else None
        responsible = (
            (worker if rng.random() < 0.9 else rng.randint(10, 49)) if job and rng.random() < 0.4 else None
        )
        cases.append(
            {
                "id": cid,
                "customer_id": customer,
                "job_id": job["id"] if job else None,
                "record_id": company.record_of.get(job["id"]) if job else None,
                "channel": channel,
                "category": "cleaning_quality" if rating else _pick(rng, CATEGORIES),
                "severity": _pick(rng, {"low": 30, "medium": 55, "high": 15}),
                "description": "窗户没擦干净，地板有水渍",
                "owner_id": company.supervisors[cid % 2],
                "received_at": received,
                **case,
                "root_cause": "清洁不到位" if responsible else None,
                "responsible_worker_id": responsible,
                "created_by_id": None if channel in ("online", "survey") else company.supervisors[cid % 2],
                "client_key": f"bench-{cid}",
                "created_at": received,
                "updated_at": case["resolved_at"] or received,
                "version": 1,
            }
        )
        if case["status"] in ("remedy", "resolved", "closed") and rng.random() < 0.4:
            remedies += _remedies(rng, len(remedies), cid, received)
    _insert(Complaint, cases)
    _insert(CasePause, pauses)
    _insert(Remedy, remedies)
    follow_ups = _follow_ups(company, cases)
    _insert(FollowUp, follow_ups)
    return {
        "complaints": len(cases),
        "pauses": len(pauses),
        "remedies": len(remedies),
        "follow_ups": len(follow_ups),
    }


def _clocks(rng, now, received) -> dict:
    """Status, first answer, resolution, reopening and closing of a case received then."""
    answer = received + timedelta(hours=rng.lognormvariate(1.39, 1.2))  # median 4 h
    resolve = answer + timedelta(hours=rng.lognormvariate(3.33, 0.8))  # median 28 h
    reopened = reopen_count = None
    if rng.random() < 0.03:
        reopened = resolve + timedelta(days=rng.uniform(1, 5))
        resolve = reopened + timedelta(hours=rng.lognormvariate(3.0, 0.7))
        reopen_count = 1
    recent = received > now - timedelta(days=10)
    if answer > now or (recent and rng.random() < 0.05):
        return _row("new", None, None, None, None)
    if resolve > now or (reopened and reopened > now) or rng.random() < (0.4 if recent else 0.01):
        status = _pick(rng, {k: v for k, v in OPEN.items() if k != "new"})
        return _row(
            status, answer, None, reopened if reopened and reopened < now else None, None, reopen_count
        )
    closed = resolve + timedelta(days=rng.uniform(1, 7))
    if closed > now:
        return _row("resolved", answer, resolve, reopened, None, reopen_count)
    row = _row("closed", answer, resolve, reopened, closed, reopen_count)
    row["closed_by_customer"] = rng.random() < 0.3
    return row


def _row(status, answered, resolved, reopened, closed, reopen_count=None) -> dict:
    return {
        "status": status,
        "first_response_at": answered,
        "resolved_at": resolved,
        "reopened_at": reopened,
        "closed_at": closed,
        "closed_by_customer": False,
        "reopen_count": reopen_count or 0,
    }


def _pause(pid: int, cid: int, start, end) -> dict:
    return {
        "id": pid,
        "complaint_id": cid,
        "start": start,
        "end": end,
        "reason": "客户出差，无法上门",
        "by_id": 2,
    }


def _remedies(rng, count: int, cid: int, received) -> list[dict]:
    rows = []
    for n in range(1 if rng.random() < 0.85 else 2):
        kind = _pick(rng, {"reclean": 30, "refund": 25, "compensation": 15, "apology": 30})
        money = kind in ("refund", "compensation")
        status = _pick(rng, {"done": 70, "approved": 15, "rejected": 10, "awaiting_approval": 5})
        at = received + timedelta(hours=rng.uniform(4, 48))
        rows.append(
            {
                "id": count + n + 1,
                "complaint_id": cid,
                "kind": kind,
                "status": status,
                "amount": Decimal(rng.randrange(20, 500)) if money else None,
                "description": "重新打扫厨房",
                "reclean_job_id": None,
                "proposed_by_id": 2,
                "decided_by_id": 1 if status != "awaiting_approval" else None,
                "decided_at": at if status != "awaiting_approval" else None,
                "done_at": at if status == "done" else None,
                "client_key": f"bench-r{n}",
                "created_at": at,
            }
        )
    return rows


def _follow_ups(company, cases: list[dict]) -> list[dict]:
    """A call a few days after a quarter of the resolved complaints; quarterly calls to customers."""
    rng, now = company.rng, company.now
    rows: list[dict] = []

    def add(customer: int, at, complaint: int | None) -> None:
        n = len(rows) + 1
        rows.append(
            {
                "id": n,
                "customer_id": customer,
                "complaint_id": complaint,
                "channel": _pick(rng, {"call": 85, "visit": 5, "message": 10}),
                "satisfied": rng.random() < 0.9,
                "score": rng.choice([3, 4, 4, 5, 5, 5, None]),
                "notes": "客户满意",
                "next_step": "",
                "done_at": at,
                "by_id": company.supervisors[n % 2],
                "client_key": f"bench-f{n}",
            }
        )

    for case in cases:
        if case["resolved_at"] and rng.random() < 0.7 and len(rows) < SIZES["follow_ups"] // 4:
            add(
                case["customer_id"],
                min(case["resolved_at"] + timedelta(days=rng.uniform(1, 10)), now),
                case["id"],
            )
    done = company.done
    while len(rows) < SIZES["follow_ups"]:
        job = rng.choice(done)
        add(job["customer_id"], min(job["scheduled_end"] + timedelta(days=rng.uniform(3, 60)), now), None)
    return rows
