"""Back office: the outbox — every email hk queued, its state, and failed ones sent again (admins)."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.auth.access import roles_required
from hk.extensions import db
from hk.mail.building import build_email
from hk.mail.service import from_address, maybe_arrived, outbox_folder, resend, send_soon
from hk.models import Message, MessageStatus, Role, events_of
from hk.office import bp, queries
from hk.pagination import page_arg


@bp.route("/outbox")
@roles_required(Role.ADMIN)
def list_outbox():
    """The messages, newest first, a page at a time; ?status= shows one status."""
    wanted = request.args.get("status")
    status = MessageStatus(wanted) if wanted in set(MessageStatus) else None
    messages = queries.outbox(status, page_arg())
    return render_template(
        "office/outbox.html",
        messages=messages.items,
        pages=messages,
        status=status,
        counts=queries.outbox_counts(),
        smtp=bool(current_app.config.get("SMTP_URL")),
    )


@bp.route("/outbox/<int:message_id>")
@roles_required(Role.ADMIN)
def show_message(message_id: int):
    """One message as it is (or was) sent: its headers, its text, its tries and who sent it again."""
    message = db.get_or_404(Message, message_id)
    return render_template(
        "office/outbox_message.html",
        message=message,
        maybe_arrived=maybe_arrived(message),
        events=events_of("message", message.id),
    )


@bp.route("/outbox/<int:message_id>/eml")
@roles_required(Role.ADMIN)
def message_eml(message_id: int):
    """The message as an .eml file, to open in a mail program: the outbox file, or built again."""
    message = db.get_or_404(Message, message_id)
    path = outbox_folder() / message.outbox_file if message.outbox_file else None
    data = path.read_bytes() if path is not None and path.is_file() else None
    if data is None:
        data = build_email(message, from_address(), readable=True).as_bytes()
    response = make_response(data)
    response.headers["Content-Type"] = "message/rfc822"
    response.headers["Content-Disposition"] = f'attachment; filename="message-{message.id}.eml"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
@roles_required(Role.ADMIN)
def resend_message(message_id: int):
    """Send a failed message again (a second tap finds it on its way and does nothing more)."""
    message = db.get_or_404(Message, message_id)
    if resend(current_user, message.id):
        send_soon(message.id)
        flash(_("The message will be sent again."), "success")
    else:
        flash(_("This message is not failed: it is already on its way or sent."), "info")
    return redirect(url_for("office.show_message", message_id=message_id), code=303)
