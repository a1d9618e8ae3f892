"""A signature made on the phone without signal, as it reaches the server (the outbox sends it).

The sign entry carries the view the customer read (`shown`: canonical JSON, hk/records/shown.py),
its SHA-256 (`shown_hash`) and the phone's time of signing (`X-HK-Happened-At`, or a `signed_at`
field; milliseconds since the epoch). It is applied after every earlier write of the job (the outbox
sends in order), under the job's lock: the server's own view must then be the same, else the customer
must review and sign again (409, in the customer's language and the worker's, naming what differs).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from hk.database import begin_writing
from hk.domain.offline_sign import Difference, differences
from hk.domain.phone_time import believable, parse_phone_ms
from hk.extensions import db
from hk.labels import INCIDENT_TYPE_LABELS
from hk.models import Job, record_event, utcnow
from hk.phone_writes import HAPPENED_HEADER
from hk.records.shown import canonical, shown_view

LANGS = ("zh_CN", "en")


class ShownUnreadable(ValueError):
    """The shown view sent is not JSON, or its hash is not the hash of what was sent."""


def sent_view() -> tuple[str, object] | None:
    """(the text sent, its parsed value) for an offline signature; None for one made online."""
    text = request.form.get("shown")
    if text is None:
        return None
    try:
        return text, json.loads(text)
    except ValueError as exc:
        raise ShownUnreadable("not JSON") from exc


def check_hash(text: str, shown_hash: str | None) -> None:
    """The hash the phone computed must be the hash of the text it sent (a damaged entry is refused)."""
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != (shown_hash or "").strip().lower():
        raise ShownUnreadable("hash")


@dataclass(frozen=True)
class Compared:
    view: dict  # the server's view now
    found: list[Difference]

    @property
    def canonical(self) -> str:
        return canonical(self.view)


def compare(job: Job, shown: object) -> Compared:
    view = shown_view(job)
    return Compared(view, differences(shown, view))


def times(job: Job) -> tuple[datetime, datetime]:
    """(when the customer signed, when it arrived): the phone's time when believed, else the arrival.

    The outbox's `X-HK-Happened-At` header, read by hk/phone_writes.py (an unbelievable one is kept
    raw in the event), else a `signed_at` field in ms, within the same bounds (hk.domain.phone_time).
    """
    arrived = utcnow()
    if request.headers.get(HAPPENED_HEADER) is not None:
        return g.get("hk_happened_at") or arrived, arrived
    phone = believable(parse_phone_ms(request.form.get("signed_at")), arrived, job.scheduled_start)
    return phone or arrived, arrived


def _names(view: dict, lang: str) -> dict[str, dict[str, str]]:
    stages = {s["code"]: s["name"].get(lang) or s["code"] for s in view["stages"]}
    items = {
        (s["code"], i["code"]): i["label"].get(lang) or i["code"] for s in view["stages"] for i in s["items"]
    }
    return {"stages": stages, "items": items}


def describe(found: list[Difference], view: dict, lang: str) -> list[str]:
    """Each difference as a sentence, in the page's language (call under force_locale)."""
    names = _names(view, lang)
    sentences = []
    for diff in found:
        stage = names["stages"].get(diff.stage or "", diff.stage)
        if diff.part == "item":
            item = names["items"].get((diff.stage, diff.item), diff.item)
            sentences.append(_("“%(item)s” (%(stage)s) is answered otherwise now.", item=item, stage=stage))
        elif diff.part == "photos":
            sentences.append(_("The photos of “%(stage)s” are not the ones shown.", stage=stage))
        elif diff.part == "handover":
            sentences.append(_("The items handed back are not the ones shown."))
        elif diff.part == "remarks":
            sentences.append(_("The remarks for the customer changed."))
        elif diff.part == "incidents":
            kinds = ", ".join(str(INCIDENT_TYPE_LABELS.get(i["type"], i["type"])) for i in view["incidents"])
            sentences.append(_("The incidents are not the ones shown (now: %(kinds)s).", kinds=kinds or "—"))
        elif diff.part == "quote":
            sentences.append(_("The price changed."))
        elif diff.part == "job":
            sentences.append(_("The job's details changed."))
        else:
            sentences.append(_("The review changed."))
    return sentences


def _worker_lang() -> str:
    for lang in (current_user.locale, session.get("lang")):
        if lang in LANGS:
            return lang
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")


def refuse(job: Job, compared: Compared, customer_lang: str):
    """Log that an offline signature was not used (and why), and answer 409 with what differs.

    The write so far (the client key among it) is undone first: a refusal records no key.
    """
    job_id = job.id
    begin_writing()
    job = db.session.get(Job, job_id)
    record_event(
        current_user,
        "job",
        job.id,
        "sign.offline_changed",
        differences=[[d.part, d.stage, d.item] for d in compared.found],
    )
    db.session.commit()
    return changed_fragment(job, compared, customer_lang)


def changed_fragment(job: Job, compared: Compared, customer_lang: str):
    """409: the customer must review and sign again; said in the customer's language, then the worker's."""
    langs = [customer_lang] + [lang for lang in (_worker_lang(),) if lang != customer_lang]
    parts = []
    for lang in langs:
        with force_locale(lang):
            parts.append(
                {
                    "lang": lang,
                    "html_lang": "zh-CN" if lang == "zh_CN" else "en",
                    "head": _(
                        "The job changed after the customer read it: the signature was not used. "
                        "Please let the customer review it again and sign."
                    ),
                    "lines": describe(compared.found, compared.view, lang),
                    "again": _("Review and sign again"),
                }
            )
    return render_template("sign/_shown_changed.html", job=job, parts=parts), 409
