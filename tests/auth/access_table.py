"""The role × route table: every endpoint, who may open it, and what an allowed role gets."""

from hk.models import Role

PUBLIC = {
    "auth.login",
    "auth.set_language",
    "main.healthz",
    "main.service_worker",
    "main.not_kept",
    "static",
    "public.verify",
    "public.customer_record",
    "public.customer_pdf",
    # the customer's feedback on their link (tests/public/test_feedback.py)
    "public.rate_service",
    "public.report_problem",
    "public.reply_to_case",
    "public.confirm_case",
    "public.reopen_case",
    "public.show_case_photo",
}
W, S, A = Role.WORKER, Role.SUPERVISOR, Role.ADMIN

# endpoint → (path, roles allowed, status for an allowed role); {job}, {photo}, {incident} filled in.
ACCESS = {
    "main.home": ("/", {W, S, A}, 302),
    "auth.account": ("/account", {W, S, A}, 200),
    "main.today": ("/today", {W}, 200),
    "main.csrf_token": ("/csrf-token", {W, S, A}, 200),
    "main.overview": ("/overview", {S, A}, 200),
    "jobs.show_job": ("/jobs/{job}", {W, S, A}, 302),  # to the open stage, or to the record
    "jobs.show_stage": ("/jobs/{job}/stages/pre_service", {W}, 200),
    "jobs.show_photo": ("/jobs/{job}/photos/{photo}", {W, S, A}, 200),
    "jobs.new_incident": ("/jobs/{job}/incidents/new", {W}, 200),
    "jobs.show_incident": ("/jobs/{job}/incidents/{incident}", {W, S, A}, 200),
    "supervise.list_incidents": ("/incidents", {S, A}, 200),
    "supervise.show_job_record": ("/jobs/{job}/record", {S, A}, 200),
    "sign.review_job": ("/jobs/{job}/review", {W}, 303),  # not ready for signing yet
    "sign.show_signed": ("/jobs/{job}/signed", {W}, 404),  # nothing signed yet
    "sign.shown_json": ("/jobs/{job}/shown.json", {W}, 200),
    "sign.review_kept": ("/jobs/{job}/review/kept", {W}, 200),  # kept by the phone for handing over offline
    "sign.hand_back_phone": ("/customer-mode/hand-back", {W}, 303),  # not in customer mode: home
    "review.list_records": ("/records", {S, A}, 200),
    "review.show_record": ("/records/999999", {S, A}, 404),  # roles are checked before the lookup
    "review.record_pdf": ("/records/999999/pdf", {S, A}, 404),
    "review.show_chain": ("/records/chain", {S, A}, 200),
    "office.list_customers": ("/office/customers", {S, A}, 200),
    "office.edit_customer": ("/office/customers/new", {S, A}, 200),
    "office.list_workers": ("/office/workers", {S, A}, 200),
    "office.edit_worker": ("/office/workers/999999", {S, A}, 404),
    "office.certificate_scan": ("/office/workers/999999/certificates/1/scan", {S, A}, 404),
    "office.new_job": ("/office/jobs/new", {S, A}, 200),
    "office.show_job": ("/office/jobs/{job}", {S, A}, 200),
    "office.schedule": ("/office/schedule", {S, A}, 200),
    "office.list_catalogue": ("/office/catalogue", {S, A}, 200),
    "office.edit_service_type": ("/office/catalogue/999999", {S, A}, 404),
    "office.edit_checklist": ("/office/catalogue/999999/checklist", {S, A}, 404),
    "office.export_catalogue": ("/office/catalogue/export.yaml", {S, A}, 200),
    "office.list_follow_ups": ("/office/follow-ups", {S, A}, 200),
    "office.new_follow_up": ("/office/customers/999999/follow-ups/new", {S, A}, 404),
    "office.show_follow_up": ("/office/follow-ups/999999", {S, A}, 404),
    "office.list_staff": ("/office/staff", {A}, 200),
    "office.show_staff": ("/office/staff/999999", {A}, 404),
    "office.edit_emergency_plan": ("/office/emergency-plans/fire", {S, A}, 200),
    "complaints.list_cases": ("/complaints", {S, A}, 200),
    "complaints.new_case": ("/complaints/new", {S, A}, 200),  # the customer to choose first
    "complaints.show_case": ("/complaints/999999", {S, A}, 404),
    "complaints.show_case_photo": ("/complaints/999999/photos/1", {S, A}, 404),
    "office.list_outbox": ("/office/outbox", {A}, 200),
    "office.show_message": ("/office/outbox/999999", {A}, 404),
    "office.message_eml": ("/office/outbox/999999/eml", {A}, 404),
    "quality.show_dashboard": ("/quality", {S, A}, 200),
    "quality.download_report": ("/quality/report.pdf?month=2000-01", {S, A}, 200),
    "quality.export_ratings_csv": ("/quality/export/ratings.csv", {S, A}, 200),
    "quality.export_ratings_xlsx": ("/quality/export/ratings.xlsx", {S, A}, 200),
    "quality.export_complaints_csv": ("/quality/export/complaints.csv", {S, A}, 200),
    "quality.export_complaints_xlsx": ("/quality/export/complaints.xlsx", {S, A}, 200),
}
POST_ONLY = {
    "auth.logout": ("/logout", {W, S, A}),
    "auth.logout_everywhere": ("/logout/everywhere", {W, S, A}),
    "auth.change_password": ("/account/password", {W, S, A}),
    "auth.set_email": ("/account/email", {W, S, A}),
    "jobs.check_in_job": ("/jobs/{job}/check-in", {W}),
    "jobs.answer_item": ("/jobs/{job}/stages/pre_service/items/confirm_scope", {W}),
    "jobs.complete_stage": ("/jobs/{job}/stages/pre_service/complete", {W}),
    "jobs.save_pre_service": ("/jobs/{job}/pre-service", {W}),
    "jobs.save_handover": ("/jobs/{job}/handover", {W}),
    "jobs.add_handover_item": ("/jobs/{job}/handover/items", {W}),
    "jobs.remove_handover_item": ("/jobs/{job}/handover/items/1/delete", {W}),
    "jobs.take_over_job": ("/jobs/{job}/take-over", {W}),
    "jobs.upload_photo": ("/jobs/{job}/photos", {W}),
    "jobs.report_incident": ("/jobs/{job}/incidents", {W}),
    "supervise.acknowledge_incident": ("/incidents/{incident}/acknowledge", {S, A}),
    "supervise.close_incident": ("/incidents/{incident}/close", {S, A}),
    "supervise.resume_job": ("/jobs/{job}/resume", {S, A}),
    "supervise.unblock_job": ("/jobs/{job}/unblock", {S, A}),
    "sign.hand_to_customer": ("/jobs/{job}/customer-mode", {W}),
    "sign.sign_job": ("/jobs/{job}/sign", {W}),
    "sign.refuse_job": ("/jobs/{job}/refuse", {W}),
    "sign.set_customer_language": ("/customer-mode/language", {W}),
    "review.approve_record": ("/records/999999/approve", {S, A}),
    "review.send_back_record": ("/records/999999/send-back", {S, A}),
    "review.correct_record": ("/records/999999/correct", {S, A}),
    "review.retry_record": ("/records/999999/retry", {S, A}),
    "review.revoke_link": ("/records/links/999999/revoke", {S, A}),
    "office.archive_customer": ("/office/customers/999999/archive", {S, A}),
    "office.new_worker": ("/office/workers/new", {A}),
    "office.set_worker_enabled": ("/office/workers/999999/enabled", {A}),
    "office.add_certificate": ("/office/workers/999999/certificates", {S, A}),
    "office.remove_certificate": ("/office/workers/999999/certificates/1/delete", {S, A}),
    "office.add_training": ("/office/workers/999999/trainings", {S, A}),
    "office.assign_job": ("/office/jobs/{job}/assign", {S, A}),
    "office.cancel_job": ("/office/jobs/{job}/cancel", {S, A}),
    "office.adjust_quote": ("/office/jobs/{job}/quote", {S, A}),
    "office.import_catalogue": ("/office/catalogue/import", {A}),
    "office.update_price": ("/office/catalogue/prices/999999", {A}),
    "office.save_emergency_plan": ("/office/emergency-plans/fire", {A}),
    "office.save_service_type": ("/office/catalogue/999999", {A}),  # the same address as its GET
    "office.save_checklist": ("/office/catalogue/999999/checklist", {A}),
    "office.new_staff": ("/office/staff/new", {A}),
    "office.set_staff_role": ("/office/staff/999999/role", {A}),
    "office.set_staff_enabled": ("/office/staff/999999/enabled", {A}),
    "office.set_staff_email": ("/office/staff/999999/email", {A}),
    "complaints.assign_case": ("/complaints/999999/owner", {S, A}),
    "complaints.reply_to_case": ("/complaints/999999/replies", {S, A}),
    "complaints.act_on_case": ("/complaints/999999/actions/investigate", {S, A}),
    "complaints.add_remedy": ("/complaints/999999/remedies/refund", {S, A}),
    "complaints.approve_remedy": ("/complaints/999999/remedies/1/approve", {A}),
    "complaints.reject_remedy": ("/complaints/999999/remedies/1/reject", {A}),
    "complaints.finish_remedy": ("/complaints/999999/remedies/1/done", {S, A}),
    "office.resend_message": ("/office/outbox/999999/resend", {A}),
}
# Endpoints for administrators alone: what a supervisor is refused there is said to be so.

# What an allowed role gets when it posts the bare form (only the CSRF token) to each POST route,
# on the job of _subjects (checked in on another device, with a photo and an incident): a refusal
# with a message, a redirect, or 404 for an id that does not exist — never a 5xx.
POST_STATUS = {
    "auth.change_password": 422,  # nothing filled in
    "auth.set_email": 303,  # no address: none kept (as before)
    "jobs.check_in_job": 303,  # already checked in: a repeat tap, back to the job
    "jobs.answer_item": 409,  # the job is on another phone
    "jobs.complete_stage": 409,
    "jobs.save_pre_service": 409,
    "jobs.save_handover": 409,
    "jobs.add_handover_item": 422,  # nothing filled in
    "jobs.remove_handover_item": 409,
    "jobs.take_over_job": 303,
    "jobs.upload_photo": 422,  # no photo
    "jobs.report_incident": 422,  # nothing filled in
    "supervise.acknowledge_incident": 303,  # to the incident
    "supervise.close_incident": 422,  # no resolution: the list again, with the message
    "supervise.resume_job": 303,  # not paused: to the job's record
    "supervise.unblock_job": 303,
    "sign.hand_to_customer": 303,  # not awaiting signature: to the job
    "sign.sign_job": 303,  # not awaiting signature yet: to the job
    "sign.refuse_job": 303,
    "sign.set_customer_language": 303,  # not in customer mode: home
    "review.approve_record": 404,
    "review.send_back_record": 404,
    "review.correct_record": 404,
    "review.retry_record": 404,
    "review.revoke_link": 404,
    "office.archive_customer": 404,
    "office.new_worker": 422,
    "office.set_worker_enabled": 404,
    "office.add_certificate": 404,
    "office.remove_certificate": 404,
    "office.add_training": 404,
    "office.assign_job": 409,  # checked in: no longer assignable
    "office.cancel_job": 422,  # no reason given
    "office.adjust_quote": 422,
    "office.import_catalogue": 422,  # no file
    "office.update_price": 404,
    "office.save_service_type": 404,
    "office.save_checklist": 404,
    "office.save_emergency_plan": 422,  # no number to call chosen
    "office.new_staff": 422,  # nothing filled in
    "office.set_staff_role": 404,
    "office.set_staff_enabled": 404,
    "office.set_staff_email": 404,
    "complaints.assign_case": 404,
    "complaints.reply_to_case": 404,
    "complaints.act_on_case": 404,
    "complaints.add_remedy": 404,
    "complaints.approve_remedy": 404,
    "complaints.reject_remedy": 404,
    "complaints.finish_remedy": 404,
    "office.resend_message": 404,
}
