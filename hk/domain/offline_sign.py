"""A signature made on the phone without signal: what differs from the server's view.

The phone shows the customer a view of the job (hk/records/shown.py) built from the server's copy and
its own pending writes; the signature arrives later with that view. The server signs only if its own
view, once every earlier write of the job has arrived, is the same. When it is not, the customer
must review and sign again, and both people are told what changed: `differences` names each part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Difference:
    """One part of the review that the customer saw otherwise than the server has it.

    part: "job", "item", "photos", "quote", "handover", "remarks", "incidents", "stages" or "version";
    stage and item name where, for "item" and "photos" (their codes, in the server's view).
    """

    part: str
    stage: str | None = None
    item: str | None = None


def _by_code(rows: Any) -> dict:
    return {row.get("code"): row for row in rows or [] if isinstance(row, dict)}


def differences(shown: Any, current: dict) -> list[Difference]:
    """What the customer saw (shown) that is not what the server has now (current); [] when equal."""
    if shown == current:
        return []
    if not isinstance(shown, dict) or shown.get("v") != current.get("v"):
        return [Difference("version")]
    found: list[Difference] = []
    if shown.get("job") != current["job"]:
        found.append(Difference("job"))
    seen = _by_code(shown.get("stages"))
    if [s.get("code") for s in shown.get("stages") or [] if isinstance(s, dict)] != [
        s["code"] for s in current["stages"]
    ]:
        found.append(Difference("stages"))
    for stage in current["stages"]:
        other = seen.get(stage["code"])
        if other is None:
            continue
        items = _by_code(other.get("items"))
        for item in stage["items"]:
            if items.get(item["code"]) != item:
                found.append(Difference("item", stage["code"], item["code"]))
        if other.get("photos") != stage["photos"]:
            found.append(Difference("photos", stage["code"]))
    if shown.get("quote") != current["quote"]:
        found.append(Difference("quote"))
    handover = shown.get("handover") if isinstance(shown.get("handover"), dict) else {}
    if handover.get("items") != current["handover"]["items"]:
        found.append(Difference("handover"))
    if handover.get("remarks") != current["handover"]["remarks"]:
        found.append(Difference("remarks"))
    if shown.get("incidents") != current["incidents"]:
        found.append(Difference("incidents"))
    return found or [Difference("version")]  # unequal in a part not named (an extra key): say so
