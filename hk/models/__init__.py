"""All models, imported here so Alembic and the app see one metadata."""

from hk.models.audit import Event, record_event
from hk.models.catalog import (
    ChecklistTemplate,
    PriceItem,
    PriceKind,
    PriceUnit,
    ServiceType,
    StageKind,
    TemplateItem,
    TemplateStage,
)
from hk.models.customers import Customer
from hk.models.jobs import (
    HandoverItem,
    Incident,
    IncidentSeverity,
    IncidentStatus,
    IncidentType,
    ItemCheck,
    Job,
    JobStatus,
    QuoteLine,
    StageCompletion,
)
from hk.models.media import Photo
from hk.models.people import (
    MANDATORY_CERTIFICATES,
    Certificate,
    CertificateKind,
    LoginAttempt,
    Role,
    TrainingRecord,
    TrainingTopic,
    User,
    WorkerProfile,
)
from hk.models.types import UTCDateTime, utcnow

__all__ = [
    "MANDATORY_CERTIFICATES",
    "Certificate",
    "CertificateKind",
    "ChecklistTemplate",
    "Customer",
    "Event",
    "HandoverItem",
    "Incident",
    "IncidentSeverity",
    "IncidentStatus",
    "IncidentType",
    "ItemCheck",
    "Job",
    "JobStatus",
    "LoginAttempt",
    "Photo",
    "PriceItem",
    "PriceKind",
    "PriceUnit",
    "QuoteLine",
    "Role",
    "ServiceType",
    "StageCompletion",
    "StageKind",
    "TemplateItem",
    "TemplateStage",
    "TrainingRecord",
    "TrainingTopic",
    "UTCDateTime",
    "User",
    "WorkerProfile",
    "record_event",
    "utcnow",
]
