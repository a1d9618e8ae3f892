"""The sign-off forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from hk.formtools import options


class SignForm(FlaskForm):
    signer_name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(message=_l("Please write your name.")),
            Length(max=100, message=_l("At most %(max)d characters.", max=100)),
        ],
        render_kw={"autocomplete": "name"},
    )
    # Drawn on the screen, or (for a customer who cannot draw) the typed name with its own sentence.
    method = RadioField(
        _l("How would you like to sign?"),
        choices=options([("drawn", _l("Draw with my finger")), ("typed", _l("Type my name instead"))]),
        default="drawn",
    )
    consent = BooleanField(validators=[DataRequired(message=_l("Please tick the box to confirm."))])
    signature = HiddenField()
    shown_hash = HiddenField()
    lang = HiddenField()


class RefuseForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you not want to sign?"),
        validators=[
            DataRequired(message=_l("Please give a reason.")),
            Length(max=2000, message=_l("At most %(max)d characters.", max=2000)),
        ],
    )
    shown_hash = HiddenField()
    lang = HiddenField()


class HandBackForm(FlaskForm):
    password = PasswordField(
        _l("Worker's password"),
        validators=[DataRequired(message=_l("Please enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class OfflineHandBackForm(FlaskForm):
    """The phone taken back without signal, as the outbox sends it later: the secret the password
    unwrapped on the phone (hk/sign/customer_mode.py, hand_back_offline)."""

    secret = HiddenField(validators=[DataRequired(), Length(max=128)])
