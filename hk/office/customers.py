"""Back office: customers — search, profile with service history, archive."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.aftersales import followups
from hk.auth.access import roles_required
from hk.extensions import db
from hk.mail.addresses import normal_address
from hk.models import Customer
from hk.office import bp, queries, service
from hk.office.common import OFFICE, events_page
from hk.office.forms import CustomerForm
from hk.pagination import page_arg

CUSTOMER_FIELDS = (
    "name",
    "phone",
    "address",
    "email",
    "access_notes",
    "preferences",
    "household_notes",
    "has_pets",
    "has_children",
    "has_elderly",
)


@bp.route("/customers")
@roles_required(*OFFICE)
def list_customers():
    """Customers, searched by name, phone or address, a page at a time."""
    text = (request.args.get("q") or "").strip()[:100]
    archived = request.args.get("archived") == "1"
    customers = queries.search_customers(text, archived, page_arg())
    return render_template(
        "office/customers.html", customers=customers.items, pages=customers, q=text, archived=archived
    )


def _values(form: CustomerForm) -> dict:
    """The form's values as stored: text trimmed, an empty text None, an unticked box False."""
    values = {}
    for field in CUSTOMER_FIELDS:
        value = getattr(form, field).data
        value = value.strip() if isinstance(value, str) else value
        values[field] = value or (False if field.startswith("has_") else None)
    values["email"] = normal_address(values["email"])  # checked by the form; the domain in small letters
    return values


def _customer_page(customer: Customer | None, form: CustomerForm, status: int = 200):
    """The customer page: profile form, service history and change log (or an empty new customer)."""
    context = {"jobs": [], "job_pages": None, "records": {}, "events": [], "event_pages": None}
    if customer is not None:
        jobs, records = queries.customer_jobs(customer, page_arg("jobs"))
        context.update(jobs=jobs.items, job_pages=jobs, records=records)
        context.update(events_page("customer", customer.id))
        context.update(followups.history(customer))
    return render_template("office/customer.html", customer=customer, form=form, **context), status


@bp.route("/customers/new", methods=["GET", "POST"])
@bp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit_customer(customer_id: int | None = None):
    """A customer's profile, history and edit form (or a new customer)."""
    customer = db.get_or_404(Customer, customer_id) if customer_id else None
    form = CustomerForm(obj=customer)
    if not form.validate_on_submit():
        return _customer_page(customer, form, 422 if form.errors else 200)
    values = _values(form)
    other = queries.phone_owner(values["phone"], customer.id if customer else None)
    customer = service.save_customer(current_user, customer, values)
    flash(_("Saved."), "success")
    if other is not None:
        flash(
            _(
                "Note: %(name)s has the same phone number. Check that this is not the same customer.",
                name=other.name,
            ),
            "warning",
        )
    return redirect(url_for("office.edit_customer", customer_id=customer.id), code=303)


@bp.route("/customers/<int:customer_id>/archive", methods=["POST"])
@roles_required(*OFFICE)
def archive_customer(customer_id: int):
    """Archive a customer, or bring one back."""
    customer = db.get_or_404(Customer, customer_id)
    restore = request.form.get("restore") == "1"
    service.archive_customer(current_user, customer, archive=not restore)
    flash(_("Customer restored.") if restore else _("Customer archived."), "success")
    return redirect(url_for("office.edit_customer", customer_id=customer.id), code=303)
