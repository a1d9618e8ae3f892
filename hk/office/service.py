"""Back-office changes, each logged with who, when and what changed (before → after), and committed.

Customers, workers and their certificates, the catalogue and its prices; jobs are in dispatch_service.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hk.catalogue import store_catalogue
from hk.domain.catalogue import CatalogueError, load_text
from hk.extensions import db
from hk.models import (
    Certificate,
    Customer,
    PriceItem,
    Role,
    ServiceType,
    TrainingRecord,
    User,
    WorkerProfile,
    record_event,
    utcnow,
)
from hk.models.people import hash_password
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


def create_worker(
    actor: User, username: str, display_name: str, phone: str | None, password: str, employee_no: str | None
) -> User:
    """A new worker account with a profile."""
    user = User(
        username=username.strip().lower(),
        display_name=display_name.strip(),
        phone=phone,
        role=Role.WORKER,
        password_hash=hash_password(password),
    )
    user.profile = WorkerProfile(employee_no=employee_no or None)
    db.session.add(user)
    db.session.flush()
    record_event(
        actor,
        "user",
        user.id,
        "worker.create",
        changes={"username": user.username, "display_name": user.display_name},
    )
    db.session.commit()
    return user


def set_enabled(actor: User, user: User, enabled: bool) -> None:
    """Enable or disable an account; disabling ends every session of it at once."""
    if user.is_enabled == enabled:
        return
    apply_changes(
        actor, user, "user", "worker.enable" if enabled else "worker.disable", {"is_enabled": enabled}
    )
    if not enabled:
        user.session_version += 1
    db.session.commit()


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
        changes={"created": summary.created, "new_versions": summary.new_versions},
    )
    db.session.commit()
    return summary


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
