"""Back office: the service catalogue — checklists (as a form or as text), prices, import and export.

Everyone in the office reads and exports it; only an administrator changes what the company sells
and charges (each editor's GET and POST are two endpoints, so the role table says so).
"""

from __future__ import annotations

import yaml
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.auth.access import roles_required
from hk.catalogue import export_service_types
from hk.domain.catalogue import FORMAT, CatalogueError, check, load_text
from hk.extensions import db
from hk.models import PriceItem, ServiceType
from hk.office import bp, queries, service
from hk.office.checklist_form import ChecklistForm, entry_from, form_data
from hk.office.common import ADMIN, OFFICE, events_page
from hk.office.forms import ImportForm, PriceForm, TemplateForm


def _catalogue_page(error: str | None = None, status: int = 200):
    """Every service type with its checklist version and prices, and the import form."""
    return render_template(
        "office/catalogue.html",
        services=queries.service_types(),
        plans=queries.emergency_plans(),
        import_form=ImportForm(formdata=None),
        error=error,
    ), status


@bp.route("/catalogue")
@roles_required(*OFFICE)
def list_catalogue():
    """Service types with their checklist versions and prices."""
    return _catalogue_page()


def _saved(st: ServiceType, data: dict, endpoint: str):
    """Store a checked checklist, say whether it made a new version, and go back to the editor."""
    before, after = service.save_checklist(current_user, st, data)
    if after != before:
        flash(_("Saved as version %(v)d. Jobs already created keep their version.", v=after), "success")
    else:
        flash(_("Saved. The checklist did not change."), "success")
    return redirect(url_for(endpoint, service_id=st.id), code=303)


def _service_type_page(st: ServiceType, form: TemplateForm, error: str | None = None, status: int = 200):
    """A checklist and its prices in the catalogue format, with its versions and change log."""
    return render_template(
        "office/service_type.html", st=st, form=form, error=error, **events_page("service_type", st.id)
    ), status


@bp.route("/catalogue/<int:service_id>")
@roles_required(*OFFICE)
def edit_service_type(service_id: int):
    """A checklist and its prices in the catalogue format: an administrator edits it, others read it."""
    st = db.get_or_404(ServiceType, service_id)
    return _service_type_page(st, TemplateForm(formdata=None, text=export_service_types([st])))


@bp.route("/catalogue/<int:service_id>", methods=["POST"])
@roles_required(*ADMIN)
def save_service_type(service_id: int):
    """Save a checklist edited in the catalogue format; a change makes a new version."""
    st = db.get_or_404(ServiceType, service_id)
    form = TemplateForm()
    if not form.validate():
        return _service_type_page(st, form, status=422)
    try:
        return _saved(st, load_text(form.text.data), "office.edit_service_type")
    except CatalogueError as exc:
        return _service_type_page(st, form, str(exc), 422)


def _checklist_page(st: ServiceType, form: ChecklistForm, error: str | None = None, status: int = 200):
    return render_template("office/checklist.html", st=st, form=form, error=error), status


def _entry(st: ServiceType) -> dict:
    """The service type as one entry of the catalogue format."""
    return yaml.safe_load(export_service_types([st]))["service_types"][0]


@bp.route("/catalogue/<int:service_id>/checklist")
@roles_required(*OFFICE)
def edit_checklist(service_id: int):
    """The checklist as a form: stages and items in order, flags, labels in both languages (read-only
    for a supervisor)."""
    st = db.get_or_404(ServiceType, service_id)
    return _checklist_page(st, ChecklistForm(formdata=None, data=form_data(_entry(st))))


@bp.route("/catalogue/<int:service_id>/checklist", methods=["POST"])
@roles_required(*ADMIN)
def save_checklist(service_id: int):
    """Save the checklist form; a change makes a new version."""
    st = db.get_or_404(ServiceType, service_id)
    form = ChecklistForm()
    if not form.validate():
        return _checklist_page(st, form, status=422)
    try:
        data = check({"format": FORMAT, "service_types": [entry_from(form.data, _entry(st))]})
        return _saved(st, data, "office.edit_checklist")
    except CatalogueError as exc:
        return _checklist_page(st, form, str(exc), 422)


@bp.route("/catalogue/export.yaml")
@bp.route("/catalogue/<int:service_id>/export.yaml")
@roles_required(*OFFICE)
def export_catalogue(service_id: int | None = None):
    """Download service types in the catalogue file format; all of it has the emergency plans too."""
    if service_id:
        text = export_service_types([db.get_or_404(ServiceType, service_id)])
    else:
        text = export_service_types(queries.service_types(), queries.emergency_plans())
    response = make_response(text)
    response.headers["Content-Type"] = "application/x-yaml; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="hk-catalogue.yaml"'
    return response


@bp.route("/catalogue/import", methods=["POST"])
@roles_required(*ADMIN)
def import_catalogue():
    """Load a catalogue file; a wrong file is refused with the line named, and nothing changes."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _catalogue_page(_("Please choose a catalogue file."), 422)
    try:
        summary = service.import_catalogue(current_user, upload.read(service.MAX_CATALOGUE_BYTES + 1))
    except UnicodeDecodeError:
        return _catalogue_page(_("The file is not UTF-8 text."), 422)
    except CatalogueError as exc:
        return _catalogue_page(_("The file was not loaded: %(problem)s", problem=str(exc)), 422)
    flash(
        _(
            "Catalogue loaded: %(c)d new, %(v)d new versions, %(u)d unchanged.",
            c=len(summary.created),
            v=len(summary.new_versions),
            u=len(summary.unchanged),
        ),
        "success",
    )
    if summary.plans:
        flash(_("Emergency plans new or changed: %(n)d.", n=len(summary.plans)), "success")
    return redirect(url_for("office.list_catalogue"), code=303)


@bp.route("/catalogue/prices/<int:price_id>", methods=["POST"])
@roles_required(*ADMIN)
def update_price(price_id: int):
    """Change one price item's unit price; a negative or non-numeric price is refused."""
    item = db.get_or_404(PriceItem, price_id)
    form = PriceForm()
    if not form.validate():
        for message in form.unit_price.errors or form.errors.get("csrf_token", []):
            flash(message, "error")
        return redirect(url_for("office.list_catalogue"), code=303)
    service.update_price(current_user, item, form.unit_price.data)
    flash(_("Price saved."), "success")
    return redirect(url_for("office.list_catalogue"), code=303)
