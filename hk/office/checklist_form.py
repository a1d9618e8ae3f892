"""The checklist editor's form fields ↔ catalogue data; no Flask here, so it is tested directly.

Field names: s-<i>-<field> for stages and s-<i>-it-<j>-<field> for items, where i and j are
positions or "new" for the empty row that adds one. Rows are kept in the order of their "order"
field; a ticked "delete" drops a row; a new row left empty is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

STAGE_FIELDS = ("code", "kind", "name_zh", "name_en", "order", "delete")
ITEM_FIELDS = ("code", "label_zh", "label_en", "required", "photo", "safety", "order", "delete")
_STAGE = re.compile(r"^s-(\d+|new)-(" + "|".join(STAGE_FIELDS) + r")$")
_ITEM = re.compile(r"^s-(\d+|new)-it-(\d+|new)-(" + "|".join(ITEM_FIELDS) + r")$")


def _order(value: str | None, fallback: float) -> float:
    try:
        return float(value) if value not in (None, "") else fallback
    except ValueError:
        return fallback


def _slug(text: str, taken: set, prefix: str) -> str:
    base = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")[:40] or prefix
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    taken.add(code)
    return code


def _pairs(text: str) -> list[dict]:
    """Lines of "中文 | English" into label pairs."""
    pairs = []
    for line in (text or "").splitlines():
        if line.strip():
            zh, _, en = line.partition("|")
            pairs.append({"zh_CN": zh.strip(), "en": en.strip()})
    return pairs


def lines_of(pairs: list[dict]) -> str:
    """Label pairs as lines of "中文 | English" for a textarea."""
    return "\n".join(f"{p['zh_CN']} | {p['en']}" for p in pairs)


def parse_checklist(form: Mapping[str, str], base: dict) -> dict:
    """A catalogue entry from the editor's fields; base gives what the editor does not change."""
    stages: dict[str, dict] = {}
    items: dict[tuple[str, str], dict] = {}
    for name, value in form.items():
        if m := _ITEM.match(name):
            items.setdefault((m[1], m[2]), {})[m[3]] = value
        elif m := _STAGE.match(name):
            stages.setdefault(m[1], {})[m[2]] = value
    # Codes already given are reserved first, so a generated one never collides with a later row.
    stage_codes = {(v.get("code") or "").strip() for v in stages.values()} - {""}
    item_codes = {(v.get("code") or "").strip() for v in items.values()} - {""}
    result = []
    ordered = sorted(
        stages.items(), key=lambda kv: _order(kv[1].get("order"), 1e6 if kv[0] == "new" else int(kv[0]))
    )
    for key, stage in ordered:
        own = [(k, v) for (s, k), v in items.items() if s == key]
        own.sort(key=lambda kv: _order(kv[1].get("order"), 1e6 if kv[0] == "new" else int(kv[0])))
        stage_items = []
        for item_key, item in own:
            if item.get("delete"):
                continue
            label_zh, label_en = (item.get("label_zh") or "").strip(), (item.get("label_en") or "").strip()
            if item_key == "new" and not label_zh and not label_en:
                continue
            code = (item.get("code") or "").strip() or _slug(
                label_en, item_codes | {c for c in item_codes}, "item"
            )
            item_codes.add(code)
            stage_items.append(
                {
                    "code": code,
                    "label": {"zh_CN": label_zh, "en": label_en},
                    "required": bool(item.get("required")),
                    "photo_required": bool(item.get("photo")),
                    "safety": bool(item.get("safety")) or stage.get("kind") == "safety",
                }
            )
        name_zh, name_en = (stage.get("name_zh") or "").strip(), (stage.get("name_en") or "").strip()
        if stage.get("delete") or (key == "new" and not name_zh and not name_en and not stage_items):
            continue
        code = (stage.get("code") or "").strip() or _slug(name_en, stage_codes, "stage")
        result.append(
            {
                "code": code,
                "kind": stage.get("kind") or "cleaning",
                "name": {"zh_CN": name_zh, "en": name_en},
                "items": stage_items,
            }
        )
    entry = dict(base)
    entry["stages"] = result
    entry["tools"] = _pairs(form.get("tools", ""))
    entry["materials"] = _pairs(form.get("materials", ""))
    return entry
