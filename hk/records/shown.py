"""What the customer reads on the review screen, as plain data a phone can rebuild without signal.

`shown_view(job)` keeps only what the review shows a person — the job's header, each item's answer
and note, the photos (by the client key the phone gave each one, never a server id), the price, the
handover and the incidents — and no time and nothing the server alone knows. So a phone holding the
server's copy of this view and its own pending writes (a tick, a note, a photo, a handover item, an
incident) can build the same view, byte for byte in its canonical form (`canonical`: keys sorted, no
spaces, UTF-8 as is; what JavaScript's JSON.stringify gives for the same keys), and show it to the
customer. A signature made offline carries that JSON and its SHA-256; on arrival the server builds the
view again from its own data, and the two must be equal (hk/sign/offline.py).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hk.models import Job, photos_of

# Raised when what the view holds changes shape: a phone with a view of another version re-reads it.
VERSION = 1


def _text(value: str | None) -> str | None:
    """A typed text as the review shows it: blank is nothing."""
    value = (value or "").strip()
    return value or None


def shown_view(job: Job) -> dict[str, Any]:
    """The review of a job as the customer reads it, in both languages (the customer may switch)."""
    checks = {(c.stage_code, c.item_code): c for c in job.checks}
    photos = photos_of(job)
    stages = []
    for stage in job.stages:
        items = []
        for item in stage["items"]:
            check = checks.get((stage["code"], item["code"]))
            answer = str(check.answer) if check is not None and check.answer else None
            items.append(
                {
                    "code": item["code"],
                    "label": item["label"],
                    "answer": answer,
                    "note": _text(check.note) if check is not None else None,
                }
            )
        stages.append(
            {
                "code": stage["code"],
                "kind": str(stage["kind"]),
                "name": stage["name"],
                "items": items,
                "photos": [
                    {"key": p.client_key, "item": p.item_code}
                    for p in photos
                    if p.stage_code == stage["code"]
                ],
            }
        )
    return {
        "v": VERSION,
        "job": {
            "number": job.number,
            "service_type": job.template_snapshot["service_type"]["name"],
            "customer": job.customer.name,
            "address": job.customer.address,
            "worker": job.worker.display_name if job.worker else None,
        },
        "stages": stages,
        "quote": {
            "lines": [
                {
                    "name": {"zh_CN": line.name_zh, "en": line.name_en},
                    "quantity": str(line.quantity),
                    "unit": str(line.unit),
                    "amount": str(line.amount),
                }
                for line in job.quote_lines
                if line.quantity > 0
            ],
            "total": str(job.quote_total),
        },
        "handover": {
            "items": [
                {"key": i.client_key, "description": i.description, "quantity": i.quantity}
                for i in job.handover_items
            ],
            "remarks": _text(job.handover_remarks),
        },
        "incidents": [
            {
                "key": i.client_key,
                "type": str(i.type),
                "what_happened": _text(i.what_happened),
            }
            for i in job.incidents
        ],
    }


def canonical(view: Any) -> str:
    """The one text of a view that is hashed: sorted keys, no spaces, characters as they are."""
    return json.dumps(view, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def shown_digest(view: Any) -> str:
    """SHA-256 of the canonical text, in hex: what the phone computes with WebCrypto."""
    return hashlib.sha256(canonical(view).encode("utf-8")).hexdigest()
