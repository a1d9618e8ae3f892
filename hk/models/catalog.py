"""The service catalogue (服务标准): service types, versioned checklist templates, price items."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hk.domain.catalogue import StageKind
from hk.domain.emergency import Call, IncidentType
from hk.extensions import db
from hk.models.people import enum_column
from hk.models.types import UTCDateTime, utcnow


def pick(zh: str | None, en: str | None, locale: str) -> str:
    """The text for a locale, falling back to the other language when one is empty."""
    if str(locale).startswith("en"):
        return en or zh or ""
    return zh or en or ""


class PriceKind(StrEnum):
    LABOUR_HOUR = "labour_hour"
    PER_AREA = "per_area"
    PER_ITEM = "per_item"
    MATERIALS = "materials"
    SURCHARGE = "surcharge"


class PriceUnit(StrEnum):
    HOUR = "hour"
    M2 = "m2"
    ITEM = "item"
    JOB = "job"


class ServiceType(db.Model):
    __tablename__ = "service_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    default_duration_minutes: Mapped[int] = mapped_column(default=120)
    active: Mapped[bool] = mapped_column(default=True)

    templates: Mapped[list[ChecklistTemplate]] = relationship(
        back_populates="service_type", order_by="ChecklistTemplate.version"
    )
    price_items: Mapped[list[PriceItem]] = relationship(
        back_populates="service_type", order_by="PriceItem.id"
    )

    def name(self, locale: str) -> str:
        return pick(self.name_zh, self.name_en, locale)

    @property
    def current_template(self) -> ChecklistTemplate | None:
        """The newest template version, used for new jobs."""
        return self.templates[-1] if self.templates else None


class ChecklistTemplate(db.Model):
    __tablename__ = "checklist_templates"
    __table_args__ = (UniqueConstraint("service_type_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    # Lists of {"zh_CN": …, "en": …}.
    tools: Mapped[list] = mapped_column(JSON, default=list)
    materials: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service_type: Mapped[ServiceType] = relationship(back_populates="templates")
    stages: Mapped[list[TemplateStage]] = relationship(
        back_populates="template", order_by="TemplateStage.position", cascade="all, delete-orphan"
    )

    def snapshot(self) -> dict:
        """A self-contained copy of this template that a job keeps for ever."""
        st = self.service_type
        return {
            "service_type": {"code": st.code, "name": {"zh_CN": st.name_zh, "en": st.name_en}},
            "template_id": self.id,
            "version": self.version,
            "tools": list(self.tools or []),
            "materials": list(self.materials or []),
            "stages": [stage.as_dict() for stage in self.stages],
        }


class TemplateStage(db.Model):
    __tablename__ = "template_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[StageKind] = mapped_column(enum_column(StageKind, "stage_kind"))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    template: Mapped[ChecklistTemplate] = relationship(back_populates="stages")
    items: Mapped[list[TemplateItem]] = relationship(
        back_populates="stage", order_by="TemplateItem.position", cascade="all, delete-orphan"
    )

    def name(self, locale: str) -> str:
        return pick(self.name_zh, self.name_en, locale)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "kind": self.kind.value,
            "name": {"zh_CN": self.name_zh, "en": self.name_en},
            "items": [item.as_dict() for item in self.items],
        }


class TemplateItem(db.Model):
    __tablename__ = "template_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("template_stages.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(default=True)
    photo_required: Mapped[bool] = mapped_column(default=False)
    safety: Mapped[bool] = mapped_column(default=False)
    # A safety item that may be answered "not applicable" (no ladder in this home).
    allows_na: Mapped[bool] = mapped_column(default=False)

    stage: Mapped[TemplateStage] = relationship(back_populates="items")

    def label(self, locale: str) -> str:
        return pick(self.label_zh, self.label_en, locale)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label": {"zh_CN": self.label_zh, "en": self.label_en},
            "required": self.required,
            "photo_required": self.photo_required,
            "safety": self.safety,
            "allows_na": self.allows_na,
        }


class PriceItem(db.Model):
    __tablename__ = "price_items"
    __table_args__ = (UniqueConstraint("service_type_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[PriceKind] = mapped_column(enum_column(PriceKind, "price_kind"))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    unit: Mapped[PriceUnit] = mapped_column(enum_column(PriceUnit, "price_unit"))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    active: Mapped[bool] = mapped_column(default=True)

    service_type: Mapped[ServiceType] = relationship(back_populates="price_items")

    def name(self, locale: str) -> str:
        return pick(self.name_zh, self.name_en, locale)


class EmergencyPlan(db.Model):
    """The emergency plan (应急预案) of one incident type: the numbers to call and the immediate steps.

    Every change raises the version and is logged with the plan before and after; an incident keeps
    the version its worker was shown.
    """

    __tablename__ = "emergency_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_type: Mapped[IncidentType] = mapped_column(
        enum_column(IncidentType, "plan_incident_type"), unique=True
    )
    version: Mapped[int] = mapped_column(default=1)
    calls: Mapped[list] = mapped_column(JSON, default=list)  # Call values, in the order shown
    steps: Mapped[list] = mapped_column(JSON, default=list)  # [{"zh_CN": …, "en": …}], in order
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def step_texts(self, locale: str) -> list[str]:
        return [pick(step["zh_CN"], step["en"], locale) for step in self.steps]

    @property
    def call_list(self) -> list[Call]:
        return [Call(c) for c in self.calls]

    def as_dict(self) -> dict:
        """The plan in the catalogue file's form."""
        return {
            "incident_type": self.incident_type.value,
            "calls": list(self.calls),
            "steps": [dict(step) for step in self.steps],
        }


def plan_of(incident_type: IncidentType | str | None) -> EmergencyPlan | None:
    """The emergency plan of an incident type; None when there is none (or no type)."""
    if not incident_type:
        return None
    return db.session.scalar(
        select(EmergencyPlan).where(EmergencyPlan.incident_type == IncidentType(incident_type))
    )
