"""The supervisors' forms about incidents."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Optional

from hk.formtools import max_chars


class CloseIncidentForm(FlaskForm):
    """How an incident was resolved; for a severe one also what worked and what to change.

    Which fields are needed depends on the incident (hk.domain.emergency.close_problems).
    """

    resolution = TextAreaField(_l("How was it resolved?"), validators=[Optional(), max_chars(4000)])
    worked = TextAreaField(_l("What worked?"), validators=[Optional(), max_chars(2000)])
    to_change = TextAreaField(_l("What should change?"), validators=[Optional(), max_chars(2000)])
