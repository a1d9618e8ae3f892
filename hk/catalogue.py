"""Store a checked catalogue in the database: new service types, new template versions, prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from hk.domain.catalogue import load_text
from hk.extensions import db
from hk.models import (
    ChecklistTemplate,
    PriceItem,
    PriceKind,
    PriceUnit,
    ServiceType,
    StageKind,
    TemplateItem,
    TemplateStage,
)

DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "catalogue.yaml"


@dataclass
class LoadSummary:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _template_content(tools, materials, stages) -> dict:
    return {"tools": tools, "materials": materials, "stages": stages}


def _stored_content(template: ChecklistTemplate) -> dict:
    snap = template.snapshot()
    return _template_content(snap["tools"], snap["materials"], snap["stages"])


def _new_template(service_type: ServiceType, version: int, entry: dict) -> ChecklistTemplate:
    template = ChecklistTemplate(
        service_type=service_type, version=version, tools=entry["tools"], materials=entry["materials"]
    )
    for s_pos, stage in enumerate(entry["stages"]):
        t_stage = TemplateStage(
            position=s_pos,
            code=stage["code"],
            kind=StageKind(stage["kind"]),
            name_zh=stage["name"]["zh_CN"],
            name_en=stage["name"]["en"],
        )
        for i_pos, item in enumerate(stage["items"]):
            t_stage.items.append(
                TemplateItem(
                    position=i_pos,
                    code=item["code"],
                    label_zh=item["label"]["zh_CN"],
                    label_en=item["label"]["en"],
                    required=item["required"],
                    photo_required=item["photo_required"],
                    safety=item["safety"],
                )
            )
        template.stages.append(t_stage)
    db.session.add(template)
    return template


def store_catalogue(data: dict) -> LoadSummary:
    """Create or update service types from checked data; a changed checklist becomes a new version.

    Jobs keep the template version they were created with, so nothing here changes a job.
    """
    summary = LoadSummary()
    for entry in data["service_types"]:
        st = db.session.scalar(select(ServiceType).where(ServiceType.code == entry["code"]))
        is_new = st is None
        if is_new:
            st = ServiceType(code=entry["code"])
            db.session.add(st)
        st.name_zh, st.name_en = entry["name"]["zh_CN"], entry["name"]["en"]
        st.description_zh = entry["description"]["zh_CN"]
        st.description_en = entry["description"]["en"]
        st.default_duration_minutes = entry["default_duration_minutes"]
        wanted = _template_content(entry["tools"], entry["materials"], entry["stages"])
        current = st.current_template
        if current is None:
            _new_template(st, 1, entry)
        elif _stored_content(current) != wanted:
            _new_template(st, current.version + 1, entry)
            summary.new_versions.append(st.code)
        existing = {p.code: p for p in st.price_items}
        for price in entry["price_items"]:
            item = existing.get(price["code"])
            if item is None:
                item = PriceItem(service_type=st, code=price["code"])
                db.session.add(item)
            item.kind = PriceKind(price["kind"])
            item.unit = PriceUnit(price["unit"])
            item.name_zh, item.name_en = price["name"]["zh_CN"], price["name"]["en"]
            item.unit_price = price["unit_price"]
            item.active = True
        if is_new:
            summary.created.append(st.code)
        elif st.code not in summary.new_versions:
            summary.unchanged.append(st.code)
    db.session.commit()
    return summary


def load_catalogue_file(path: Path | str = DEFAULT_CATALOGUE) -> LoadSummary:
    """Read, check and store a catalogue file (the shipped one by default)."""
    text = Path(path).read_text(encoding="utf-8")
    return store_catalogue(load_text(text))


def export_service_types(service_types: list[ServiceType]) -> str:
    """Service types with their current checklist and prices, in the catalogue file format."""
    import yaml

    entries = []
    for st in service_types:
        snap = st.current_template.snapshot()
        entries.append(
            {
                "code": st.code,
                "name": {"zh_CN": st.name_zh, "en": st.name_en},
                "description": {"zh_CN": st.description_zh or "", "en": st.description_en or ""},
                "default_duration_minutes": st.default_duration_minutes,
                "tools": snap["tools"],
                "materials": snap["materials"],
                "price_items": [
                    {
                        "code": p.code,
                        "kind": str(p.kind),
                        "name": {"zh_CN": p.name_zh, "en": p.name_en},
                        "unit": str(p.unit),
                        "unit_price": str(p.unit_price),
                    }
                    for p in st.price_items
                    if p.active
                ],
                "stages": snap["stages"],
            }
        )
    return yaml.safe_dump(
        {"format": "hk-catalogue/1", "service_types": entries}, allow_unicode=True, sort_keys=False, width=120
    )
