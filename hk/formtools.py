"""Validators shared by the forms, with messages in the person's language."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length, ValidationError

from hk.mail.addresses import normal_address


def max_chars(n: int) -> Length:
    """At most n characters, said in the person's language."""
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def email_address():
    """An optional email address hk can send to (name@example.com), said in the person's language."""

    def check(_form, field):
        if (field.data or "").strip() and normal_address(field.data) is None:
            raise ValidationError(_l("Enter an email address like name@example.com."))

    return check
