"""The checklist editor: a form of stages with their items, and its data ↔ catalogue data.

Rows are kept in the order of their "order" field; a ticked "delete" drops a row; a row without a code
is new, and a new row left empty is ignored. Each stage ends with an empty item row and the form with
an empty stage, to add one. `entry_from` and `form_data` work on plain data, so they are tested alone.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from hk import labels
from hk.domain.catalogue import STAGE_KINDS, StageKind
from hk.formtools import max_chars, options
from hk.office.forms import SubForm

NEW_ROW = 1e6  # where a new row without an order number goes: last


class ItemForm(SubForm):
    code = HiddenField()
    order = DecimalField(_l("Order"), places=None, validators=[Optional()])
    label_zh = StringField("中文", validators=[max_chars(200)])
    label_en = StringField("English", validators=[max_chars(200)])
    required = BooleanField(_l("required"))
    photo = BooleanField(_l("photo required"))
    safety = BooleanField(_l("Safety"))
    allows_na = BooleanField(_l("may be N/A"))
    delete = BooleanField(_l("delete"))


class StageForm(SubForm):
    code = HiddenField()
    order = DecimalField(_l("Order"), places=None, validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=options([(k, labels.STAGE_KIND_LABELS[k]) for k in STAGE_KINDS]))
    name_zh = StringField("中文", validators=[max_chars(100)])
    name_en = StringField("English", validators=[max_chars(100)])
    delete = BooleanField(_l("delete"))
    items = FieldList(FormField(ItemForm), max_entries=200)


class ChecklistForm(FlaskForm):
    stages = FieldList(FormField(StageForm), max_entries=50)
    tools = TextAreaField(_l("Tools:"), validators=[max_chars(20_000)])
    materials = TextAreaField(_l("Materials:"), validators=[max_chars(20_000)])


# --- form data ↔ catalogue data ----------------------------------------------------------------


def _pairs(text: str | None) -> list[dict]:
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


def _slug(text: str, taken: set, prefix: str) -> str:
    """A new code from a label, unlike every code taken (and then taken itself)."""
    base = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")[:40] or prefix
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    taken.add(code)
    return code


def _text(row: dict, field: str) -> str:
    return (row.get(field) or "").strip()


def _in_order(rows: list[dict]) -> list[dict]:
    """Rows by their order number; a row without one keeps its place (a new row goes last)."""

    def key(pair):
        position, row = pair
        fallback = position if _text(row, "code") else NEW_ROW
        return float(row["order"]) if row.get("order") is not None else fallback

    return [row for _, row in sorted(enumerate(rows), key=key)]


def _item(row: dict, stage_kind: str, codes: set) -> dict | None:
    """A checklist item from its row, or None when it is deleted or a new row left empty."""
    label_zh, label_en = _text(row, "label_zh"), _text(row, "label_en")
    if row.get("delete") or (not _text(row, "code") and not label_zh and not label_en):
        return None
    return {
        "code": _text(row, "code") or _slug(label_en, codes, "item"),
        "label": {"zh_CN": label_zh, "en": label_en},
        "required": bool(row.get("required")),
        "photo_required": bool(row.get("photo")),
        "safety": bool(row.get("safety")) or stage_kind == StageKind.SAFETY,
        "allows_na": bool(row.get("allows_na")) and stage_kind == StageKind.SAFETY,
    }


def _stage(row: dict, item_codes: set, stage_codes: set) -> dict | None:
    """A stage with its items from its row, or None when it is deleted or a new row left empty."""
    kind = row.get("kind") or StageKind.CLEANING
    items = [i for r in _in_order(row.get("items") or []) if (i := _item(r, kind, item_codes))]
    name_zh, name_en = _text(row, "name_zh"), _text(row, "name_en")
    if row.get("delete") or (not _text(row, "code") and not name_zh and not name_en and not items):
        return None
    return {
        "code": _text(row, "code") or _slug(name_en, stage_codes, "stage"),
        "kind": kind,
        "name": {"zh_CN": name_zh, "en": name_en},
        "items": items,
    }


def entry_from(data: dict, base: dict) -> dict:
    """A catalogue entry from the editor's data; base gives what the editor does not change."""
    stages = data.get("stages") or []
    # Codes already given are taken first, so a generated one never collides with a later row.
    stage_codes = {_text(s, "code") for s in stages} - {""}
    item_codes = {_text(i, "code") for s in stages for i in s.get("items") or []} - {""}
    edited = [s for row in _in_order(stages) if (s := _stage(row, item_codes, stage_codes))]
    tools, materials = _pairs(data.get("tools")), _pairs(data.get("materials"))
    return {**base, "stages": edited, "tools": tools, "materials": materials}


def _empty_item(order: int) -> dict:
    return {"code": "", "order": order, "required": True}


def form_data(entry: dict) -> dict:
    """The editor's data for a catalogue entry, with the empty rows that add an item or a stage."""
    stages = []
    for i, stage in enumerate(entry["stages"]):
        items = [
            {
                "code": item["code"],
                "order": j + 1,
                "label_zh": item["label"]["zh_CN"],
                "label_en": item["label"]["en"],
                "required": item["required"],
                "photo": item["photo_required"],
                "safety": item["safety"],
                "allows_na": item.get("allows_na", False),
            }
            for j, item in enumerate(stage["items"])
        ]
        stages.append(
            {
                "code": stage["code"],
                "kind": stage["kind"],
                "order": i + 1,
                "name_zh": stage["name"]["zh_CN"],
                "name_en": stage["name"]["en"],
                "items": [*items, _empty_item(len(items) + 1)],
            }
        )
    stages.append({"code": "", "kind": StageKind.CLEANING, "order": len(stages), "items": [_empty_item(1)]})
    return {"stages": stages, "tools": lines_of(entry["tools"]), "materials": lines_of(entry["materials"])}
