"""Store a checked catalogue in the database: service types, template versions, prices, emergency plans."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from hk.domain.catalogue import load_text
from hk.domain.emergency import IncidentType
from hk.extensions import db
from hk.models import (
    ChecklistTemplate,
    EmergencyPlan,
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
    # The incident types whose emergency plan is new or changed, each with its plan before (or None).
    plans: dict[str, dict | None] = field(default_factory=dict)


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
                    allows_na=item.get("allows_na", False),
                )
            )
        template.stages.append(t_stage)
    db.session.add(template)
    return template


def store_plans(plans: list[dict]) -> dict[str, dict | None]:
    """Create or change emergency plans from checked data; a change raises the plan's version.

    Returns, for each incident type whose plan is new or changed, the plan before (None if new):
    the back office logs it with the plan after.
    """
    existing = {p.incident_type.value: p for p in db.session.scalars(select(EmergencyPlan))}
    changed = {}
    for entry in plans:
        plan = existing.get(entry["incident_type"])
        if plan is None:
            plan = EmergencyPlan(incident_type=IncidentType(entry["incident_type"]), version=1)
            db.session.add(plan)
            changed[entry["incident_type"]] = None
        elif (plan.calls, plan.steps) != (entry["calls"], entry["steps"]):
            changed[entry["incident_type"]] = plan.as_dict() | {"version": plan.version}
            plan.version += 1
        else:
            continue
        plan.calls, plan.steps = list(entry["calls"]), [dict(step) for step in entry["steps"]]
    db.session.flush()
    return changed


def store_catalogue(data: dict) -> LoadSummary:
    """Create or update service types and emergency plans from checked data.

    A changed checklist becomes a new version; jobs keep the template version they were created
    with, so nothing here changes a job.
    """
    summary = LoadSummary()
    summary.plans = store_plans(data.get("emergency_plans", []))
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


def export_service_types(service_types: list[ServiceType], plans: list[EmergencyPlan] = ()) -> str:
    """Service types with their current checklist and prices, and any plans, in the catalogue format."""
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
    data = {"format": "hk-catalogue/1", "service_types": entries}
    if plans:
        data["emergency_plans"] = [plan.as_dict() for plan in plans]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
