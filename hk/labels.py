"""What people read for the codes stored in the database, in their language."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "worker": _l("Cleaner"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}

CERTIFICATE_KIND_LABELS = {
    "job": _l("Job certificate"),
    "health": _l("Health certificate"),
    "other": _l("Other certificate"),
}

CERTIFICATE_STATUS_LABELS = {
    "valid": _l("Valid"),
    "expiring": _l("Expires soon"),
    "expired": _l("Expired"),
    "not_yet_valid": _l("Not yet valid"),
}

JOB_STATUS_LABELS = {
    "scheduled": _l("Scheduled"),
    "checked_in": _l("Pre-service"),
    "safety": _l("Safety check"),
    "cleaning": _l("Cleaning"),
    "handover": _l("Handover"),
    "paused": _l("Paused"),
    "blocked": _l("Blocked"),
    "awaiting_signature": _l("Awaiting signature"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
}

TRAINING_TOPIC_LABELS = {
    "safety": _l("Safety"),
    "communication": _l("Communication"),
    "emergency": _l("Emergency handling"),
    "skills": _l("Cleaning skills"),
    "other": _l("Other"),
}

PROBLEM_REASON_LABELS = {
    "missing": _l("%(kind)s is missing"),
    "expired": _l("%(kind)s expired on %(date)s"),
    "not_yet_valid": _l("%(kind)s is only valid from %(date)s"),
}
