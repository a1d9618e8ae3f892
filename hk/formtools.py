"""What the forms share: validators with messages in the person's language, and choice lists."""

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
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


def options(pairs) -> list[SelectChoice]:
    """A select's or radio group's choices from (value, label) pairs or a {value: label} dict."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]
