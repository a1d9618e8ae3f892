"""What the customer reviews and signs, and what the PDF record shows: one plain-data view of a job."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hk.domain.catalogue import StageKind
from hk.domain.qualification import MANDATORY_KINDS
from hk.models import Job, Photo, photos_of


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _photo(photo: Photo) -> dict:
    return {
        "id": photo.id,
        "sha256": photo.sha256,
        "kind": str(photo.kind),
        "stage": photo.stage_code,
        "item": photo.item_code,
        "taken_at": _iso(photo.taken_at or photo.uploaded_at),
        "storage_key": photo.storage_key,
        "print_key": photo.print_key,
    }


def review_data(job: Job) -> dict[str, Any]:
    """Everything the customer is shown and the record prints, as JSON-ready data."""
    checks = {(c.stage_code, c.item_code): c for c in job.checks}
    completed = {c.stage_code: c.completed_at for c in job.completions}
    photos = photos_of(job)
    stages = []
    for stage in job.stages:
        items = []
        for item in stage["items"]:
            check = checks.get((stage["code"], item["code"]))
            items.append(
                {
                    "code": item["code"],
                    "label": item["label"],
                    "required": item["required"],
                    "photo_required": item["photo_required"],
                    "answer": str(check.answer) if check and check.answer else None,
                    "note": check.note if check else None,
                    "at": _iso(check.checked_at) if check and check.answer else None,
                }
            )
        stages.append(
            {
                "code": stage["code"],
                "kind": stage["kind"],
                "name": stage["name"],
                "completed_at": _iso(completed.get(stage["code"])),
                "items": items,
                "photos": [_photo(p) for p in photos if p.stage_code == stage["code"]],
            }
        )
    worker = job.worker
    certificates = []
    if worker is not None:
        for cert in worker.certificates:
            if str(cert.kind) in MANDATORY_KINDS:
                certificates.append(
                    {
                        "kind": str(cert.kind),
                        "number": cert.number,
                        "valid_until": cert.valid_until.isoformat(),
                    }
                )
    return {
        "job": {
            "number": job.number,
            "service_type": job.template_snapshot["service_type"]["name"],
            "template_version": job.template_snapshot.get("version"),
            "customer": job.customer.name,
            "address": job.customer.address,
            "scheduled_start": _iso(job.scheduled_start),
            "scheduled_end": _iso(job.scheduled_end),
            "worker": worker.display_name if worker else None,
            "certificates": certificates,
        },
        "times": {
            "checked_in_at": _iso(job.checked_in_at),
            "quote_confirmed_at": _iso(job.quote_confirmed_at),
            "handover_completed_at": _iso(job.handover_completed_at),
        },
        "stages": stages,
        "quote": {
            "lines": [
                {
                    "name": {"zh_CN": line.name_zh, "en": line.name_en},
                    "quantity": str(line.quantity),
                    "unit": str(line.unit),
                    "unit_price": str(line.unit_price),
                    "amount": str(line.amount),
                }
                for line in job.quote_lines
                if line.quantity > 0
            ],
            "total": str(job.quote_total),
            "confirmed_total": str(job.quote_confirmed_total)
            if job.quote_confirmed_total is not None
            else None,
        },
        "valuables": job.valuables_notes,
        "special_requests": job.special_requests,
        "handover": {
            "items": [{"description": i.description, "quantity": i.quantity} for i in job.handover_items],
            "tools_removed": job.tools_removed,
            "remarks": job.handover_remarks,
        },
        "incidents": [
            {
                "type": str(i.type),
                "severity": str(i.severity),
                "what_happened": i.what_happened,
                "action_taken": i.action_taken,
                "reported_at": _iso(i.reported_at),
                "status": str(i.status),
            }
            for i in job.incidents
        ],
    }


def review_digest(data: dict) -> str:
    """SHA-256 of the review data in a canonical form: what exactly was shown and signed."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def photo_pairs(data: dict) -> list[tuple[dict | None, dict | None]]:
    """Before photos (pre-service) beside after photos (handover, else the cleaning stages), in order."""
    before = [p for s in data["stages"] if s["kind"] == StageKind.PRE_SERVICE for p in s["photos"]]
    after = [p for s in data["stages"] if s["kind"] == StageKind.POST_SERVICE for p in s["photos"]]
    if not after:
        after = [p for s in data["stages"] if s["kind"] == StageKind.CLEANING for p in s["photos"]]
    count = max(len(before), len(after))
    return [
        (before[n] if n < len(before) else None, after[n] if n < len(after) else None) for n in range(count)
    ]


def missing_photos(data: dict) -> bool:
    """True when an item that needed a photo has none (a flag for supervisors)."""
    for stage in data["stages"]:
        with_photo = {p["item"] for p in stage["photos"]}
        if any(item["photo_required"] and item["code"] not in with_photo for item in stage["items"]):
            return True
    return False
