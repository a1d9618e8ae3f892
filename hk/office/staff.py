"""Back office: staff accounts, for administrators — every login, new accounts, roles, access."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk import labels
from hk.auth.access import roles_required
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.models import Role, User
from hk.office import bp, queries, staff_service
from hk.office.common import ADMIN, account_refusals, events_page
from hk.office.forms import RoleForm, StaffEmailForm, StaffForm
from hk.pagination import page_arg


def _role_shown() -> Role | None:
    """The role the list is narrowed to (?role=), or None for everyone."""
    try:
        return Role(request.args.get("role", ""))
    except ValueError:
        return None


def _staff_page(form: StaffForm, status: int = 200):
    """Every account a page at a time (administrators first), and the form for a new one."""
    role = _role_shown()
    people = queries.staff(role, page_arg())
    return render_template(
        "office/staff.html", people=people.items, pages=people, role_shown=role, form=form
    ), status


@bp.route("/staff")
@roles_required(*ADMIN)
def list_staff():
    """Every login account, narrowed to one role if asked, with the new-account form."""
    return _staff_page(StaffForm(formdata=None))


@bp.route("/staff/new", methods=["POST"])
@roles_required(*ADMIN)
def new_staff():
    """Create a login account with its role and first password."""
    form = StaffForm()
    if form.validate() and queries.username_taken(form.username.data):
        form.username.errors.append(_("This username is taken."))
    if form.errors:
        return _staff_page(form, 422)
    person = staff_service.create_account(
        current_user,
        Role(form.role.data),
        form.username.data,
        form.display_name.data,
        form.phone.data,
        form.password.data,
    )
    flash(
        _(
            "Account created for %(name)s. Give them their username and first password in person.",
            name=person.display_name,
        ),
        "success",
    )
    return redirect(url_for("office.show_staff", user_id=person.id), code=303)


def _account_page(
    person: User, refusals: list[str] = (), status: int = 200, email_form: StaffEmailForm | None = None
):
    """One account: its role, access and email with the forms to change them, and its change log."""
    return render_template(
        "office/staff_member.html",
        person=person,
        role_form=RoleForm(formdata=None, role=person.role.value),
        email_form=email_form or StaffEmailForm(formdata=None, email=person.email),
        refusals=list(refusals),
        **events_page("user", person.id, ("office.show_staff", "user_id")),
    ), status


@bp.route("/staff/<int:user_id>")
@roles_required(*ADMIN)
def show_staff(user_id: int):
    """One person's account: role, access, change log."""
    return _account_page(db.get_or_404(User, user_id))


def _change(person: User, role: Role | None = None, enabled: bool | None = None):
    """Make one change of an account and say what happened, or show the account page with the refusal."""
    try:
        changes = staff_service.change_account(current_user, person.id, role=role, enabled=enabled)
    except WorkflowError as error:
        return _account_page(person, account_refusals(error), 409)
    if "role" in changes:
        flash(
            _(
                "%(name)s is now: %(role)s. They were logged out everywhere and log in again with "
                "the new role.",
                name=person.display_name,
                role=labels.ROLE_LABELS[person.role.value],
            ),
            "success",
        )
    elif "is_enabled" in changes:
        flash(
            _("%(name)s can log in again.", name=person.display_name)
            if person.is_enabled
            else _("%(name)s's account is disabled and logged out everywhere.", name=person.display_name),
            "success",
        )
    return redirect(url_for("office.show_staff", user_id=person.id), code=303)


@bp.route("/staff/<int:user_id>/role", methods=["POST"])
@roles_required(*ADMIN)
def set_staff_role(user_id: int):
    """Give a person another role; their logins end so the new rights apply at once."""
    person = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate():
        return _account_page(person, [m for messages in form.errors.values() for m in messages], 422)
    return _change(person, role=Role(form.role.data))


@bp.route("/staff/<int:user_id>/enabled", methods=["POST"])
@roles_required(*ADMIN)
def set_staff_enabled(user_id: int):
    """Disable an account (every login of it ends) or enable it again."""
    person = db.get_or_404(User, user_id)
    return _change(person, enabled=request.form.get("enable") == "1")


@bp.route("/staff/<int:user_id>/email", methods=["POST"])
@roles_required(*ADMIN)
def set_staff_email(user_id: int):
    """Set or clear the address a person's work messages are emailed to."""
    person = db.get_or_404(User, user_id)
    form = StaffEmailForm()
    if not form.validate():
        return _account_page(person, status=422, email_form=form)
    if staff_service.set_email(current_user, person, form.email.data):
        flash(
            _("Work messages to %(name)s go to %(email)s.", name=person.display_name, email=person.email)
            if person.email
            else _("No more work messages are emailed to %(name)s.", name=person.display_name),
            "success",
        )
    return redirect(url_for("office.show_staff", user_id=person.id), code=303)
