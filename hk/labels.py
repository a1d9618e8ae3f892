"""What people read for the codes stored in the database, in their language."""

from flask_babel import lazy_gettext as _l

from hk.domain.catalogue import StageKind

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

INCIDENT_TYPE_LABELS = {
    "injury": _l("Injury"),
    "fall": _l("Fall"),
    "fire": _l("Fire"),
    "property_damage": _l("Property damage"),
    "chemical_exposure": _l("Chemical exposure"),
    "customer_dispute": _l("Customer dispute"),
    "unsafe_site": _l("Unsafe site"),
    "other": _l("Other"),
}

INCIDENT_SEVERITY_LABELS = {
    "minor": _l("Minor — work can go on"),
    "moderate": _l("Moderate — supervisor should know today"),
    "severe": _l("Severe — stop work, supervisor now"),
}

INCIDENT_STATUS_LABELS = {"open": _l("Open"), "closed": _l("Closed")}

STAGE_KIND_LABELS = {
    StageKind.PRE_SERVICE: _l("Pre-service"),
    StageKind.SAFETY: _l("Safety check"),
    StageKind.CLEANING: _l("Cleaning"),
    StageKind.POST_SERVICE: _l("Handover"),
}

PHOTO_KIND_LABELS = {
    "before": _l("Before"),
    "after": _l("After"),
    "handover": _l("Handover"),
    "incident": _l("Incident"),
}

UNIT_LABELS = {"hour": _l("hour"), "m2": _l("m²"), "item": _l("item"), "job": _l("job")}

EVENT_LABELS = {
    "check_in": _l("Checked in"),
    "item.answer": _l("Checklist item answered"),
    "item.note": _l("Note on an item"),
    "stage.complete": _l("Step completed"),
    "advance": _l("Moved to the next step"),
    "block": _l("Blocked: site not safe"),
    "pause": _l("Paused by an incident"),
    "resume": _l("Resumed by a supervisor"),
    "unblock": _l("Unblocked by a supervisor"),
    "pre_service.save": _l("Pre-service details saved"),
    "handover.save": _l("Handover saved"),
    "handover.item_add": _l("Handed-back item added"),
    "handover.item_remove": _l("Handed-back item removed"),
    "photo.add": _l("Photo added"),
    "incident.report": _l("Incident reported"),
    "incident.close": _l("Incident closed"),
    "device.take_over": _l("Continued on another phone"),
    "sign": _l("Signed by the customer"),
    "sign.refused": _l("Customer refused to sign"),
    "record.create": _l("Record made"),
    "record.approve": _l("Record approved"),
    "record.send_back": _l("Record sent back"),
    "link.revoke": _l("Customer link withdrawn"),
    "customer.create": _l("Customer created"),
    "customer.update": _l("Customer changed"),
    "customer.archive": _l("Customer archived"),
    "customer.restore": _l("Customer restored"),
    "worker.create": _l("Worker created"),
    "worker.update": _l("Worker changed"),
    "worker.enable": _l("Worker enabled"),
    "worker.disable": _l("Worker disabled"),
    "certificate.add": _l("Certificate added"),
    "certificate.remove": _l("Certificate removed"),
    "training.add": _l("Training added"),
    "job.create": _l("Job created"),
    "job.assign": _l("Worker assigned"),
    "job.cancel": _l("Job cancelled"),
    "quote.adjust": _l("Quote changed"),
    "price.update": _l("Price changed"),
    "catalogue.edit": _l("Checklist edited"),
    "catalogue.import": _l("Catalogue imported"),
    "message.queue": _l("Email queued"),
    "message.resend": _l("Email sent again"),
}

REVIEW_STATUS_LABELS = {"pending": _l("To review"), "approved": _l("Approved"), "sent_back": _l("Sent back")}

MESSAGE_STATUS_LABELS = {
    "pending": _l("Waiting"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}

MESSAGE_KIND_LABELS = {"record_ready": _l("Service record")}
