"""Review, sign, refuse; then the record is made and the customer gets a link."""

from __future__ import annotations

import hashlib

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hk.auth.access import roles_required
from hk.database import begin_writing, reads_first
from hk.domain.workflow import Status, WorkflowError
from hk.extensions import db, htmx
from hk.jobs.access import load_job
from hk.labels import INCIDENT_TYPE_LABELS
from hk.models import Role, SignatureKind, SignOff, SignOffKind, photos_of
from hk.queue import enqueue, make_record
from hk.records import links
from hk.records import service as records
from hk.records.ink import SignatureRejected, clean_signature
from hk.records.render import qr_data_uri
from hk.records.review import photo_pairs, review_data, review_digest
from hk.records.shown import shown_digest, shown_view
from hk.sign import bp, offline, service
from hk.sign.customer_mode import set_language
from hk.sign.forms import RefuseForm, SignForm
from hk.sign.service import consent_sentence, typed_consent_sentence
from hk.storage import get_storage
from hk.views_helpers import current_lang

LANGS = ("zh_CN", "en")


def _customer_lang() -> str:
    lang = request.values.get("lang")
    return lang if lang in LANGS else current_lang()


def _review_page(
    job, sign_form=None, refuse_form=None, errors=None, signature_error=None, status=200, kept=False
):
    """The review and the signature box; a refused form's messages sit next to what must be fixed."""
    lang = _customer_lang()
    data = review_data(job)
    digest = review_digest(data)
    with force_locale(lang):
        sign_form = sign_form or SignForm(formdata=None)
        refuse_form = refuse_form or RefuseForm(formdata=None)
        sign_form.shown_hash.data = refuse_form.shown_hash.data = digest
        sign_form.lang.data = refuse_form.lang.data = lang
        html = render_template(
            "sign/review.html",
            job=job,
            data=data,
            pairs=photo_pairs(data),
            sign_form=sign_form,
            refuse_form=refuse_form,
            errors=errors or [],
            signature_error=signature_error,
            consent=consent_sentence(),
            typed_consent=typed_consent_sentence("\x00").split("\x00", 1),
            lang=lang,
            html_lang="zh-CN" if lang == "zh_CN" else "en",
            incident_types={str(k): str(v) for k, v in INCIDENT_TYPE_LABELS.items()},
            kept=kept,
            for_customer=kept,  # no worker's bar: it is shown to the customer (base.html)
        )
    return html, status


def _awaiting(job):
    """Where to go instead when the job cannot be signed on this phone now, else None.

    Signed already: the thanks page. Not ready, or the phone was not handed to the customer
    (customer mode): the job's own page, with its button to hand the phone over.
    """
    if job.status != Status.AWAITING_SIGNATURE:
        if db.session.scalar(select(SignOff).where(SignOff.job_id == job.id)):
            return redirect(url_for("sign.show_signed", job_id=job.id), code=303)
        return redirect(url_for("jobs.show_job", job_id=job.id), code=303)
    if current_user.customer_job_id != job.id:
        return redirect(url_for("jobs.show_job", job_id=job.id), code=303)
    return None


@bp.route("/jobs/<int:job_id>/review")
@roles_required(Role.WORKER)
def review_job(job_id: int):
    """What the customer reads before signing, in the customer's language."""
    job = load_job(job_id)
    return _awaiting(job) or _review_page(job)


@bp.route("/jobs/<int:job_id>/review/kept")
@roles_required(Role.WORKER)
def review_kept(job_id: int):
    """The review page the service worker keeps for handing the phone over without signal.

    Served whatever the job's state: the phone draws the review from its kept view with what waits
    (static/js/offline_sign.js) and shows it only once the worker has handed the phone over on it
    (static/js/offline_handover.js).
    """
    job = load_job(job_id)
    return _review_page(job, kept=True)


@bp.route("/jobs/<int:job_id>/shown.json")
@roles_required(Role.WORKER)
def shown_json(job_id: int):
    """The review as plain data, for the phone to show and sign without signal (hk/records/shown.py)."""
    job = load_job(job_id)
    view = shown_view(job)
    thumbs = {  # where the phone finds each photo's thumbnail (not part of the view: not hashed)
        p.client_key: url_for("jobs.show_photo", job_id=job.id, photo_id=p.id, size="thumb")
        for p in photos_of(job)
    }
    response = jsonify(job=job.id, status=str(job.status), view=view, hash=shown_digest(view), thumbs=thumbs)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _finish(job, signoff: SignOff):
    """Keep the customer's answer, hand the record to the queue, and show the thanks page."""
    try:
        record = service.finish(job, current_user, signoff)
    except WorkflowError:
        db.session.rollback()
        return redirect(url_for("jobs.show_job", job_id=job.id), code=303)
    enqueue(make_record, record.id)
    return redirect(url_for("sign.show_signed", job_id=job.id), code=303)


def _signature_error(code: str) -> str:
    if code == "empty":
        return _("Please sign with your finger in the box below, or choose “Type my name instead”.")
    if code == "too_small":
        return _("The signature is too small. Please sign with your full name.")
    return _("The signature could not be read. Please clear it and sign again.")


def _changed_page(job):
    return _review_page(
        job, errors=[_("The job changed while you were reading. Please review it again.")], status=409
    )


@bp.route("/jobs/<int:job_id>/sign", methods=["POST"])
@roles_required(Role.WORKER)
@reads_first
def sign_job(job_id: int):
    """Keep the customer's signature with a hash of what was shown, then have the record made.

    A drawing is checked and stored before the write begins; the write itself only records. A
    customer who cannot draw signs by typing their name: the sentence they agreed to, with that
    name, is kept as the consent and the record says how it was signed. A signature made without
    signal carries the view the customer read (hk/sign/offline.py): it is used only if the server's
    view is the same, with the phone's time of signing and the arrival both kept.
    """
    job = load_job(job_id)
    done = _awaiting(job)
    if done:
        return done  # a second signing (double tap, second phone) changes nothing
    try:
        sent = offline.sent_view()
    except offline.ShownUnreadable:
        abort(400)
    lang = _customer_lang()
    with force_locale(lang):
        form = SignForm()
        signature, signature_error = None, None
        valid = form.validate()
        typed = form.method.data == SignatureKind.TYPED
        if valid and not typed:
            try:
                signature = clean_signature(form.signature.data or "")
            except SignatureRejected as rejected:
                signature_error = _signature_error(rejected.code)
        if not valid or signature_error:
            return _review_page(job, sign_form=form, signature_error=signature_error, status=422)
        if sent is not None:
            try:
                offline.check_hash(sent[0], form.shown_hash.data)
            except offline.ShownUnreadable:
                abort(400)
        elif form.shown_hash.data != review_digest(review_data(job)):
            return _changed_page(job)
        name = form.signer_name.data.strip()
        consent = typed_consent_sentence(name) if typed else consent_sentence()
    signature_key = get_storage().put(signature, "signatures", ".png") if signature else None
    begin_writing()
    job = load_job(job_id)  # now locked: a twin request waits here, then finds the job signed
    done = _awaiting(job)
    if done:
        return done
    signoff = SignOff(
        job_id=job.id,
        kind=SignOffKind.SIGNED,
        signature_kind=SignatureKind.TYPED if typed else SignatureKind.DRAWN,
        signer_name=name,
        signature_key=signature_key,
        signature_sha256=hashlib.sha256(signature).hexdigest() if signature else None,
        consent_text=consent,
        language=lang,
        witnessed_by_id=current_user.id,
    )
    if sent is None:
        signoff.shown_hash = review_digest(review_data(job))
        if form.shown_hash.data != signoff.shown_hash:
            with force_locale(lang):
                return _changed_page(job)
    else:
        compared = offline.compare(job, sent[1])
        if compared.found:
            return offline.refuse(job, compared, lang)
        # exactly the text the customer's phone hashed: shown_hash is its SHA-256
        signoff.shown_hash, signoff.shown_json = form.shown_hash.data.strip().lower(), sent[0]
        signoff.signed_at, signoff.received_at = offline.times(job)
    set_language(current_user, lang)  # the thanks page speaks the language signed in
    return _finish(job, signoff)


@bp.route("/jobs/<int:job_id>/refuse", methods=["POST"])
@roles_required(Role.WORKER)
def refuse_job(job_id: int):
    """The customer refuses to sign: the record is made as not signed, with the reason, and flagged."""
    job = load_job(job_id)
    done = _awaiting(job)
    if done:
        return done
    lang = _customer_lang()
    with force_locale(lang):
        form = RefuseForm()
        if not form.validate():
            return _review_page(job, refuse_form=form, status=422)
        signoff = SignOff(
            job_id=job.id,
            kind=SignOffKind.REFUSED,
            refusal_reason=form.reason.data.strip(),
            consent_text=consent_sentence(),
            language=lang,
            shown_hash=review_digest(review_data(job)),
            witnessed_by_id=current_user.id,
        )
    set_language(current_user, lang)
    return _finish(job, signoff)


@bp.route("/jobs/<int:job_id>/signed")
@roles_required(Role.WORKER)
def show_signed(job_id: int):
    """Thanks, and a QR code the customer scans to keep their record."""
    job = load_job(job_id)
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    if signoff is None:
        abort(404)
    record = records.current_record(job.id)
    if htmx:  # the page asks every few seconds until the record is ready
        return render_template("sign/_record_status.html", job=job, record=record)
    link = links.latest_link(job.id)
    if link is None:  # the link made at signing expired or was withdrawn: a new one
        begin_writing()
        job = load_job(job_id)
        link = links.latest_link(job.id) or links.new_customer_link(job)
        db.session.commit()
    url = links.customer_url(link)
    return render_template(
        "sign/signed.html", job=job, signoff=signoff, record=record, url=url, qr=qr_data_uri(url)
    )
