"""Forms of the complaint screens; every one works as a plain form post. Each form that creates
something carries a client key made when the form is shown, so a double tap creates it once."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from hk.domain.complaints import STAFF_CHANNELS
from hk.formtools import max_chars, options
from hk.labels import CATEGORY_LABELS, CHANNEL_LABELS, SEVERITY_LABELS
from hk.office.forms import AmountField

MAX_SUM = Decimal("1000000")
MAX_ID = 2**31 - 1  # the largest id a table holds; PostgreSQL refuses to even look further


def known_id(value) -> int:
    """A chosen or addressed id; anything that is not one (not a number, out of range) is 0."""
    text = str(value if value is not None else "").strip()
    number = int(text) if text.isdigit() else 0
    return number if number <= MAX_ID else 0


def _company_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _amount() -> AmountField:
    return AmountField(
        _l("Amount (¥)"),
        validators=[NumberRange(max=MAX_SUM, message=_l("The amount is too large."))],
        render_kw={"inputmode": "decimal"},
    )


class NewCaseForm(FlaskForm):
    customer = HiddenField()  # chosen on the step before; the page shows who it is
    job = SelectField(_l("The job it is about"), coerce=known_id, default=0, validate_choice=False)
    channel = SelectField(
        _l("How it came in"),
        choices=options([(c.value, CHANNEL_LABELS[c.value]) for c in STAFF_CHANNELS]),
        default="phone",
    )
    category = SelectField(_l("Category"), choices=options(CATEGORY_LABELS))
    severity = SelectField(_l("Severity"), choices=options(SEVERITY_LABELS), default="medium")
    description = TextAreaField(
        _l("What the customer says"),
        validators=[DataRequired(message=_l("Please describe the complaint.")), max_chars(4000)],
    )
    received_at = DateTimeLocalField(
        _l("Received at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        tz=_company_zone,
        validators=[InputRequired(message=_l("Please enter when the complaint was received."))],
    )
    owner = SelectField(_l("Person responsible"), coerce=known_id, default=0, validate_choice=False)
    client_key = HiddenField()


class CaseForm(FlaskForm):
    """A form on the case page. The page holds many forms, so each is shown with a prefix (its fields'
    names and ids); the app's CSRF protection checks the one token field of every post."""

    class Meta:
        csrf = False


class OwnerForm(CaseForm):
    owner = SelectField(_l("Person responsible"), coerce=known_id, default=0, validate_choice=False)


class ReplyForm(CaseForm):
    body = TextAreaField(
        _l("Message"), validators=[DataRequired(message=_l("Please write the message.")), max_chars(4000)]
    )
    kind = RadioField(
        _l("Who reads it"),
        choices=options(
            [
                ("customer", _l("The customer (shown on their link)")),
                ("note", _l("Staff only (internal note)")),
                ("phone", _l("Answered by phone: a note of what was said")),
            ]
        ),
        default="customer",
    )
    client_key = HiddenField()


class ReasonForm(CaseForm):
    """Pausing the resolution clock, or reopening a case: the reason is kept in the log."""

    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Please give the reason.")), max_chars(2000)]
    )


class ResolveForm(CaseForm):
    root_cause = TextAreaField(_l("Root cause"), validators=[Optional(), max_chars(2000)])
    worker = SelectField(_l("Worker responsible"), coerce=known_id, default=0)


class RefundForm(CaseForm):
    amount = _amount()
    description = TextAreaField(_l("Note"), validators=[Optional(), max_chars(2000)])
    client_key = HiddenField()


class CompensationForm(CaseForm):
    amount = _amount()
    description = TextAreaField(_l("What it is for"), validators=[Optional(), max_chars(2000)])
    client_key = HiddenField()


class ApologyForm(CaseForm):
    description = TextAreaField(
        _l("The apology or explanation given"), validators=[Optional(), max_chars(2000)]
    )
    client_key = HiddenField()


class RecleanForm(CaseForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Please enter a date."))])
    start = TimeField(_l("From"), validators=[InputRequired(message=_l("Please enter a time."))])
    end = TimeField(_l("To"), validators=[InputRequired(message=_l("Please enter a time."))])
    worker = SelectField(_l("Worker"), coerce=known_id, default=0)
    notes = TextAreaField(_l("Notes for the worker"), validators=[Optional(), max_chars(2000)])
    client_key = HiddenField()


class DecisionForm(CaseForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), max_chars(2000)])
