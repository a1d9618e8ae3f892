"""People: users and their roles, worker profiles, certificates, training, login attempts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

from hk.extensions import db
from hk.models.types import UTCDateTime, utcnow


def enum_column(enum_cls: type[StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, values stored as text."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def hash_password(password: str) -> str:
    """A salted hash of a password, with the configured method (scrypt unless set otherwise)."""
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


class Role(StrEnum):
    WORKER = "worker"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


STAFF = (Role.SUPERVISOR, Role.ADMIN)  # the office: who supervises, reviews and answers customers


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Optional: where work messages (a case assigned, a clock running out) are emailed.
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    # Bumped to end every session of this user at once (disable, password change).
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    profile: Mapped[WorkerProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="Certificate.kind"
    )
    trainings: Mapped[list[TrainingRecord]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="TrainingRecord.completed_on"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_enabled

    def set_password(self, password: str) -> None:
        """Keep only a salted hash of the new password."""
        self.password_hash = hash_password(password)

    # The LoginSession this request runs under (set at login and by the user loader; not stored).
    login_token = ""
    # The job whose customer holds this browser (customer mode), set by the user loader; not stored.
    customer_job_id = None
    # The language the customer chose while holding this browser (customer mode); not stored here.
    customer_lang = None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}:{self.login_token}"

    def has_role(self, *roles: Role | str) -> bool:
        """True when the user holds one of the given roles."""
        return self.role in {Role(r) for r in roles}


class WorkerProfile(db.Model):
    __tablename__ = "worker_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    employee_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    hired_on: Mapped[date | None]
    emergency_contact: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="profile")


class CertificateKind(StrEnum):
    JOB = "job"  # 家政服务上岗证
    HEALTH = "health"  # 健康证
    OTHER = "other"


MANDATORY_CERTIFICATES = (CertificateKind.JOB, CertificateKind.HEALTH)


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, "certificate_kind"))
    name: Mapped[str | None] = mapped_column(String(100))  # for kind "other"
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    scan_key: Mapped[str | None] = mapped_column(String(200))  # storage key of the scan photo
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    worker: Mapped[User] = relationship(back_populates="certificates")


class TrainingTopic(StrEnum):
    SAFETY = "safety"
    COMMUNICATION = "communication"
    EMERGENCY = "emergency"
    SKILLS = "skills"
    OTHER = "other"


class TrainingRecord(db.Model):
    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course: Mapped[str] = mapped_column(String(200))
    topic: Mapped[TrainingTopic] = mapped_column(enum_column(TrainingTopic, "training_topic"))
    completed_on: Mapped[date]
    score: Mapped[int | None]
    passed: Mapped[bool] = mapped_column(default=True)
    trainer: Mapped[str | None] = mapped_column(String(100))

    worker: Mapped[User] = relationship(back_populates="trainings")


class LoginAttempt(db.Model):
    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    success: Mapped[bool]


class LoginSession(db.Model):
    """One login on one browser. Its token is in the session and remember cookies; ending the row
    (logout, "log out on all devices") makes a copied cookie worthless at once."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    # Customer mode: while set, this browser shows only that job's review, signing and thanks pages
    # (the worker handed the phone to the customer); the worker's password ends it.
    customer_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    handback_failures: Mapped[int] = mapped_column(default=0)
    # The language the customer chose on those screens (zh_CN or en); the worker's own comes back with
    # the phone.
    customer_lang: Mapped[str | None] = mapped_column(String(10))
    # Taking the phone back without signal: SHA-256 (hex) of a secret the phone made at login and keeps
    # only wrapped under a key derived from the password (hk/sign/handback.py explains).
    handback_check: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()
