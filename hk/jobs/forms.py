"""Forms of the job screens; every one also works as a plain form post."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from hk.formtools import max_chars, options
from hk.labels import INCIDENT_SEVERITY_LABELS, INCIDENT_TYPE_LABELS


class CheckInForm(FlaskForm):
    share_location = BooleanField(_l("Share my location for this check-in"))
    lat = FloatField(validators=[Optional(), NumberRange(-90, 90)])
    lng = FloatField(validators=[Optional(), NumberRange(-180, 180)])
    accuracy = FloatField(validators=[Optional(), NumberRange(0, 100000)])


class ItemForm(FlaskForm):
    answer = HiddenField()
    note = TextAreaField(_l("Note"), validators=[Optional(), max_chars(1000)])
    action = HiddenField(default="answer")


class PreServiceForm(FlaskForm):
    valuables = TextAreaField(
        _l("Valuables and fragile items pointed out by the customer"),
        validators=[Optional(), max_chars(1000)],
    )
    requests = TextAreaField(_l("Special requests"), validators=[Optional(), max_chars(1000)])
    confirm_quote = BooleanField(_l("The customer agreed to the scope and the quote above"))


class HandoverForm(FlaskForm):
    tools_removed = BooleanField(_l("All tools, materials and rubbish have been removed"))
    remarks = TextAreaField(_l("Remarks for the customer"), validators=[Optional(), max_chars(2000)])


class HandoverItemForm(FlaskForm):
    description = StringField(
        _l("Item handed back"),
        validators=[DataRequired(message=_l("Please say what was handed back.")), max_chars(200)],
        render_kw={"placeholder": _l("e.g. door key, access card")},
    )
    quantity = IntegerField(
        _l("Quantity"),
        default=1,
        validators=[
            InputRequired(message=_l("Please enter a number.")),
            NumberRange(1, 99, message=_l("Between 1 and 99.")),
        ],
    )
    client_key = HiddenField()


class IncidentForm(FlaskForm):
    type = RadioField(
        _l("What kind of incident?"),
        choices=options(INCIDENT_TYPE_LABELS),
        validators=[InputRequired(message=_l("Please choose the kind of incident."))],
    )
    severity = RadioField(
        _l("How serious?"),
        choices=options(INCIDENT_SEVERITY_LABELS),
        validators=[InputRequired(message=_l("Please choose how serious it is."))],
    )
    what_happened = TextAreaField(
        _l("What happened?"),
        validators=[DataRequired(message=_l("Please describe what happened.")), max_chars(4000)],
    )
    action_taken = TextAreaField(_l("What was done about it?"), validators=[Optional(), max_chars(4000)])
    client_key = HiddenField()
