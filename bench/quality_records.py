"""The company's service records (a current one per completed job, some corrected), incidents and
ratings (see quality_data.py)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from quality_data import SIZES, _insert, _pick

from hk.models import Incident, ServiceRecord


def records_and_incidents(company) -> None:
    rng = company.rng
    company.done = [j for j in company.jobs if j["status"] == "completed"]
    incident_jobs = {j["id"]: j for j in rng.sample(company.done, SIZES["incidents"])}
    records, previous, company.record_of = [], "0" * 64, {}
    for job in company.done:
        old = job["scheduled_start"] < company.now - timedelta(days=14)
        corrected = rng.random() < 0.04
        for version in (1, 2) if corrected else (1,):
            current = version == 2 or not corrected
            if current:
                review = _pick(
                    rng,
                    {"approved": 90, "pending": 8, "sent_back": 2}
                    if old
                    else {"approved": 30, "pending": 68, "sent_back": 2},
                )
            else:
                review = "sent_back"
            rid = len(records) + 1
            chain = hashlib.sha256(f"{previous}{rid}".encode()).hexdigest()
            records.append(
                {
                    "id": rid,
                    "job_id": job["id"],
                    "code": f"R{rid:09d}",
                    "version": version,
                    "supersedes_id": rid - 1 if version == 2 else None,
                    "correction_reason": "补充照片" if version == 2 else None,
                    "status": "current" if current else "superseded",
                    "render_status": "done",
                    "render_attempts": 1,
                    "render_attempted_at": job["updated_at"],
                    "render_error": None,
                    "language": "zh_CN",
                    "pdf_key": f"records/{chain[:2]}/{chain}.pdf",
                    "pdf_sha256": chain,
                    "size_bytes": 180_000 + rid % 50_000,
                    "pages": 3,
                    "chain_seq": rid,
                    "prev_chain_hash": previous,
                    "chain_hash": chain,
                    "flag_incident": job["id"] in incident_jobs,
                    "flag_refused": rng.random() < 0.004,
                    "flag_missing_photos": rng.random() < 0.03,
                    "review_status": review,
                    "review_reason": "缺少厨房照片" if review == "sent_back" else None,
                    "reviewed_by_id": company.supervisors[rid % 2] if review != "pending" else None,
                    "reviewed_at": job["updated_at"] + timedelta(hours=20) if review != "pending" else None,
                    "created_at": job["updated_at"],
                    "rendered_at": job["updated_at"],
                }
            )
            previous = chain
            if current:
                company.record_of[job["id"]] = rid
    _insert(ServiceRecord, records)
    incidents = []
    for n, job in enumerate(sorted(incident_jobs.values(), key=lambda j: j["id"])):
        severity = _pick(rng, {"minor": 70, "moderate": 25, "severe": 5})
        reported = job["scheduled_start"] + timedelta(minutes=rng.randint(10, 100))
        seen = reported + timedelta(minutes=rng.lognormvariate(2.5, 1.0)) if rng.random() < 0.97 else None
        closed = (
            seen + timedelta(hours=rng.uniform(1, 48))
            if seen and reported < company.now - timedelta(days=2)
            else None
        )
        incidents.append(
            {
                "id": n + 1,
                "job_id": job["id"],
                "client_key": f"inc-{n}",
                "severity": severity,
                "type": _pick(
                    rng,
                    {
                        "property_damage": 30,
                        "fall": 10,
                        "injury": 10,
                        "chemical_exposure": 5,
                        "electrical": 5,
                        "customer_dispute": 20,
                        "unsafe_site": 15,
                        "other": 5,
                    },
                ),
                "what_happened": "打碎了一个花瓶",
                "action_taken": "已告知客户",
                "stage_code": None,
                "status": "closed" if closed else "open",
                "reported_at": reported,
                "reported_by_id": job["worker_id"],
                "acknowledged_at": seen,
                "acknowledged_by_id": 2 if seen else None,
                "closed_at": closed,
                "closed_by_id": 2 if closed else None,
                "resolution": "已赔偿" if closed else None,
                "evaluation_worked": "预案有效" if closed and severity == "severe" else None,
                "evaluation_change": "无" if closed and severity == "severe" else None,
                "plan_version": 1,
            }
        )
    _insert(Incident, incidents)


def ratings(company) -> None:
    rng = company.rng
    rated = rng.sample(
        [j for j in company.done if j["scheduled_end"] < company.now - timedelta(hours=6)], SIZES["ratings"]
    )
    company.rating_rows = []
    for n, job in enumerate(sorted(rated, key=lambda j: j["id"])):
        overall = _pick(rng, {5: 60, 4: 27, 3: 7, 2: 3, 1: 3})

        def aspect(p: float = 0.8) -> int | None:
            return max(1, min(5, overall + rng.choice([-1, 0, 0, 0, 1]))) if rng.random() < p else None  # noqa: B023

        at = min(job["scheduled_end"] + timedelta(hours=rng.uniform(1, 72)), company.now)
        company.rating_rows.append(
            {
                "id": n + 1,
                "job_id": job["id"],
                "customer_id": job["customer_id"],
                "worker_id": job["worker_id"],
                "overall": overall,
                "quality": aspect(),
                "punctuality": aspect(),
                "attitude": aspect(0.7),
                "price": aspect(0.5),
                "recommend": (
                    min(10, 2 * overall + rng.choice([-1, 0, 0, 1])) if rng.random() < 0.8 else None
                ),
                "comment": "",
                "rated_at": at,
                "updated_at": at,
                "complaint_id": None,
            }
        )
