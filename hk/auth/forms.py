"""Forms for logging in, changing one's password and email address, and choosing a language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from hk.domain.passwords import MAX_LENGTH
from hk.formtools import email_address, max_chars
from hk.models import User
from hk.refusals import password_refusal


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(message=_l("Please enter your username.")),
            Length(max=64, message=_l("At most %(max)d characters.", max=64)),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Please enter your password.")),
            Length(max=128, message=_l("At most %(max)d characters.", max=128)),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this phone"))
    next = HiddenField()
    # Set by the phone (static/js/handback_key.js): to take the phone back from a customer without signal.
    handback_check = HiddenField()


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[AnyOf(["zh_CN", "en"])])
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    """The current password, and the new one twice; the new one must pass the password rule."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Please enter your current password.")),
            Length(max=MAX_LENGTH, message=_l("At most %(max)d characters.", max=MAX_LENGTH)),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Please enter a new password."))],
        render_kw={"autocomplete": "new-password", "aria-describedby": "new-password-hint"},
    )
    new_password_again = PasswordField(
        _l("New password again"),
        validators=[DataRequired(message=_l("Please enter the new password a second time."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, user: User, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def validate_new_password(self, field):
        refusal = password_refusal(field.data, self.user.username, self.user.display_name, self.user.phone)
        if refusal:
            raise ValidationError(refusal)

    def validate_new_password_again(self, field):
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError(_l("The two new passwords are not the same."))


class OwnEmailForm(FlaskForm):
    """Where one's work messages are emailed (a complaint assigned, a clock running out); empty: none."""

    email = EmailField(
        _l("Email (optional)"),
        validators=[Optional(), max_chars(254), email_address()],
        render_kw={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
    )
