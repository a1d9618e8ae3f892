"""Back-office changes, each logged with who, when and what changed (before → after), and committed.

Customers, workers and their certificates, the catalogue with its prices and emergency plans; jobs are
in dispatch_service, login accounts (creating them, roles, access) in staff_service.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from hk.catalogue import store_catalogue, store_plans
from hk.domain.catalogue import CatalogueError, load_text
from hk.extensions import db
from hk.models import (
    Certificate,
    Customer,
    EmergencyPlan,
    PriceItem,
    ServiceType,
    TrainingRecord,
    User,
    record_event,
    utcnow,
)
from hk.photos import process_photo
from hk.storage import get_storage

MAX_CATALOGUE_BYTES = 2_000_000

# Never written into the event log: door codes and key arrangements.
SECRET_FIELDS = {"access_notes", "password_hash"}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def apply_changes(
    actor: User, obj, subject: str, action: str, values: dict, subject_id: int | None = None
) -> dict:
    """Set attributes and log each change as [before, after] (secret fields only as "changed").

    The event is about `subject` number `subject_id` (by default the object's own id).
    """
    changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            setattr(obj, field, new)
            changes[field] = "changed" if field in SECRET_FIELDS else [_plain(old), _plain(new)]
    if changes:
        db.session.flush()
        record_event(actor, subject, obj.id if subject_id is None else subject_id, action, changes=changes)
    return changes


# --- customers ---------------------------------------------------------------------------------


def save_customer(actor: User, customer: Customer | None, values: dict) -> Customer:
    """Create or update a customer."""
    if customer is None:
        customer = Customer(**values)
        db.session.add(customer)
        db.session.flush()
        record_event(
            actor,
            "customer",
            customer.id,
            "customer.create",
            changes={k: ("changed" if k in SECRET_FIELDS else _plain(v)) for k, v in values.items()},
        )
    else:
        apply_changes(actor, customer, "customer", "customer.update", values)
    db.session.commit()
    return customer


def archive_customer(actor: User, customer: Customer, archive: bool = True) -> None:
    """Archive a customer (kept with their history) or bring them back."""
    apply_changes(
        actor,
        customer,
        "customer",
        "customer.archive" if archive else "customer.restore",
        {"archived_at": utcnow() if archive else None},
    )
    db.session.commit()


# --- workers -----------------------------------------------------------------------------------


def update_worker(actor: User, worker: User, values: dict, profile_values: dict) -> None:
    """Change a worker's name, phone and email, and their profile's emergency contact and notes."""
    apply_changes(actor, worker, "user", "worker.update", values)
    if worker.profile is not None:
        apply_changes(actor, worker.profile, "user", "worker.update", profile_values, subject_id=worker.id)
    db.session.commit()


def store_certificate_scan(data: bytes, max_bytes: int, tz: str) -> str:
    """Check, clean and store the photo of a certificate; its storage key (PhotoRejected if not a photo)."""
    processed = process_photo(data, max_bytes=max_bytes, tz=tz)
    return get_storage().put(processed.image, "certificates", ".jpg")


def add_certificate(actor: User, worker: User, values: dict) -> Certificate:
    """Add a certificate (上岗证, 健康证, other) to a worker."""
    cert = Certificate(worker=worker, **values)
    db.session.add(cert)
    db.session.flush()
    record_event(
        actor,
        "user",
        worker.id,
        "certificate.add",
        changes={k: _plain(v) for k, v in values.items() if k != "scan_key"},
    )
    db.session.commit()
    return cert


def remove_certificate(actor: User, cert: Certificate) -> None:
    """Remove a certificate entered by mistake (the event log keeps what it was)."""
    record_event(
        actor,
        "user",
        cert.worker_id,
        "certificate.remove",
        changes={"kind": str(cert.kind), "number": cert.number, "valid_until": _plain(cert.valid_until)},
    )
    db.session.delete(cert)
    db.session.commit()


def add_training(actor: User, worker: User, values: dict) -> TrainingRecord:
    """Add a training record to a worker."""
    training = TrainingRecord(worker=worker, **values)
    db.session.add(training)
    db.session.flush()
    record_event(actor, "user", worker.id, "training.add", changes={k: _plain(v) for k, v in values.items()})
    db.session.commit()
    return training


# --- catalogue and prices ----------------------------------------------------------------------


def save_checklist(actor: User, service_type: ServiceType, data: dict) -> tuple[int, int]:
    """Store checked catalogue data for one service type and log the version change: (before, after)."""
    codes = [entry["code"] for entry in data["service_types"]]
    if data.get("emergency_plans"):
        raise CatalogueError("emergency_plans: edit the emergency plans on their own page")
    if codes != [service_type.code]:
        raise CatalogueError(f"service_types: must hold exactly this service type ({service_type.code})")
    before = service_type.current_template.version
    try:
        store_catalogue(data)
    except CatalogueError:
        db.session.rollback()
        raise
    db.session.refresh(service_type)
    after = service_type.current_template.version
    record_event(
        actor, "service_type", service_type.id, "catalogue.edit", changes={"version": [before, after]}
    )
    db.session.commit()
    return before, after


def import_catalogue(actor: User, raw: bytes):
    """Load a catalogue file; CatalogueError (or UnicodeDecodeError) and nothing changes when it is wrong."""
    if len(raw) > MAX_CATALOGUE_BYTES:
        raise CatalogueError("the file is larger than 2 MB")
    try:
        summary = store_catalogue(load_text(raw.decode("utf-8")))
    except CatalogueError:
        db.session.rollback()
        raise
    record_event(
        actor,
        "catalogue",
        0,
        "catalogue.import",
        changes={
            "created": summary.created,
            "new_versions": summary.new_versions,
            "plans": list(summary.plans),
        },
    )
    _log_plans(actor, summary.plans)
    db.session.commit()
    return summary


def _log_plans(actor: User, changed: dict[str, dict | None]) -> None:
    """One event per plan that is new or changed: its version and calls as a change, both plans whole."""
    for kind, before in changed.items():
        plan = db.session.scalar(select(EmergencyPlan).where(EmergencyPlan.incident_type == kind))
        after = plan.as_dict() | {"version": plan.version}
        changes = {"version": [before["version"] if before else None, plan.version]}
        if before is None or before["calls"] != after["calls"]:
            changes["calls"] = [" ".join(before["calls"]) if before else None, " ".join(after["calls"])]
        record_event(
            actor,
            "emergency_plan",
            plan.id,
            "emergency_plan.edit",
            changes=changes,
            before=before,
            after=after,
        )


def save_emergency_plan(actor: User, data: dict) -> EmergencyPlan:
    """Store one checked plan ({incident_type, calls, steps}); a change raises its version and is logged."""
    changed = store_plans([data])
    _log_plans(actor, changed)
    db.session.commit()
    return db.session.scalar(
        select(EmergencyPlan).where(EmergencyPlan.incident_type == data["incident_type"])
    )


def update_price(actor: User, item: PriceItem, price: Decimal) -> None:
    """Change one price item's unit price (a price is never negative; the form checks it)."""
    if price == item.unit_price:
        return
    record_event(
        actor,
        "service_type",
        item.service_type_id,
        "price.update",
        changes={item.code: [str(item.unit_price), str(price)]},
    )
    item.unit_price = price
    db.session.commit()
