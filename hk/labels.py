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
    "fire": _l("Fire or smoke"),
    "electrical": _l("Electric shock or fault"),
    "chemical_exposure": _l("Chemical exposure"),
    "property_damage": _l("Property damage"),
    "customer_dispute": _l("Customer dispute"),
    "unsafe_site": _l("Unsafe site"),
    "other": _l("Other"),
}

# The numbers an emergency plan tells the worker to call (hk.domain.emergency.Call).
CALL_LABELS = {
    "120": _l("Ambulance"),
    "119": _l("Fire service"),
    "110": _l("Police"),
    "company": _l("Company"),
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
    "incident.alert": _l("Supervisors alerted: severe incident"),
    "incident.acknowledge": _l("Incident acknowledged by a supervisor"),
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
    "account.create": _l("Account created"),
    "account.role": _l("Role changed"),
    "account.enable": _l("Account enabled"),
    "account.disable": _l("Account disabled"),
    "worker.create": _l("Worker created"),
    "worker.update": _l("Worker changed"),
    "worker.enable": _l("Worker enabled"),
    "worker.disable": _l("Worker disabled"),
    "password.change": _l("Password changed"),
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
    "customer_mode.start": _l("Phone handed to the customer"),
    "customer_mode.end": _l("Phone taken back by the worker"),
    "customer_mode.logged_out": _l("Logged out after wrong passwords on the customer screens"),
    "follow_up.record": _l("Follow-up recorded"),
    "complaint.open": _l("Complaint received"),
    "complaint.assign": _l("Person responsible named"),
    "complaint.reply": _l("Reply to the customer"),
    "complaint.note": _l("Internal note"),
    "complaint.respond": _l("First response given"),
    "complaint.investigate": _l("Investigation started"),
    "complaint.propose_remedy": _l("Remedy under way"),
    "complaint.resolve": _l("Resolved"),
    "complaint.close": _l("Closed"),
    "complaint.reopen": _l("Reopened"),
    "complaint.pause": _l("Resolution clock paused"),
    "complaint.resume": _l("Resolution clock running again"),
    "emergency_plan.edit": _l("Emergency plan changed"),
    "remedy.add": _l("Remedy added"),
    "remedy.approve": _l("Remedy approved"),
    "remedy.reject": _l("Remedy rejected"),
    "remedy.done": _l("Remedy carried out"),
    "message.queue": _l("Email queued"),
    "message.resend": _l("Email sent again"),
}

REVIEW_STATUS_LABELS = {"pending": _l("To review"), "approved": _l("Approved"), "sent_back": _l("Sent back")}

# After-sales (hk/domain/complaints.py, hk/domain/feedback.py).
CASE_STATUS_LABELS = {
    "new": _l("Not answered yet"),
    "responded": _l("Answered"),
    "investigating": _l("Investigating"),
    "remedy": _l("In remedy"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "email": _l("Email"),
    "social": _l("WeChat or social media"),
    "walk_in": _l("In person"),
    "online": _l("Online (customer's link)"),
    "survey": _l("Satisfaction survey"),
    "follow_up": _l("Follow-up visit"),
}
CATEGORY_LABELS = {
    "cleaning_quality": _l("Cleaning quality"),
    "damage_or_loss": _l("Damage or loss"),
    "lateness": _l("Late or did not come"),
    "attitude": _l("Attitude"),
    "price": _l("Price or billing"),
    "safety": _l("Safety"),
    "other": _l("Other"),
}
SEVERITY_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
REMEDY_KIND_LABELS = {
    "reclean": _l("Re-clean"),
    "refund": _l("Refund"),
    "compensation": _l("Compensation"),
    "apology": _l("Apology or explanation"),
}
REMEDY_STATUS_LABELS = {
    "awaiting_approval": _l("Awaiting an administrator"),
    "approved": _l("Agreed"),
    "done": _l("Done"),
    "rejected": _l("Rejected"),
}
ASPECT_LABELS = {
    "quality": _l("Cleaning quality"),
    "punctuality": _l("Punctuality"),
    "attitude": _l("Attitude"),
    "price": _l("Clear pricing"),
}
FOLLOW_UP_CHANNEL_LABELS = {
    "call": _l("Phone call"),
    "visit": _l("Visit"),
    "message": _l("Text or WeChat message"),
}
FOLLOW_UP_STATE_LABELS = {
    "not_active": _l("Not served in the last 12 months"),
    "done": _l("Done this quarter"),
    "due": _l("Due this quarter"),
    "overdue": _l("Overdue"),
}

MESSAGE_STATUS_LABELS = {
    "pending": _l("Waiting"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}

MESSAGE_KIND_LABELS = {
    "record_ready": _l("Service record"),
    "case_opened": _l("Complaint receipt"),
    "case_reply": _l("Reply on a complaint"),
    "case_resolved": _l("Complaint resolved: is it sorted?"),
    "case_closed": _l("Complaint closed"),
    "case_reopened": _l("Complaint reopened"),
    "case_assigned": _l("Complaint assigned"),
    "case_customer_wrote": _l("The customer wrote on a complaint"),
    "case_warn_first": _l("4 hours left to answer a complaint"),
    "case_breach_first": _l("Complaint not answered in 48 hours"),
    "case_breach_resolution": _l("Complaint not resolved in 72 hours"),
    "incident_alert": _l("Severe incident"),
}

STANDING_LABELS = {
    "good": _l("In order"),
    "expiring": _l("One expiring soon"),
    "problem": _l("Missing or expired"),
}
