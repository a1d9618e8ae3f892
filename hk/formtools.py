"""Validators shared by the forms, with messages in the person's language."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length


def max_chars(n: int) -> Length:
    """At most n characters, said in the person's language."""
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))
