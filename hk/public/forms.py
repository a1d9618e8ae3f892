"""The customer's forms on their record link. Scores and categories arrive from styled radio buttons;
whether they are in range is the domain's rule (hk.domain.feedback.check_rating,
hk.domain.complaints.check_customer_report), so a tampered value gets the same plain sentence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Optional

from hk.aftersales.ratings import Scores
from hk.domain.feedback import Aspect
from hk.formtools import max_chars

NOT_A_NUMBER = -1  # out of every range: refused by check_rating like any other wrong score


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text, 10)
    except ValueError:
        return NOT_A_NUMBER


class RatingForm(FlaskForm):
    overall = StringField()
    quality = StringField()
    punctuality = StringField()
    attitude = StringField()
    price = StringField()
    recommend = StringField()
    comment = TextAreaField(
        _l("Anything you would like to tell us?"), validators=[Optional(), max_chars(2000)]
    )

    def scores(self) -> Scores:
        """What was chosen; a score that is not a whole number counts as out of range."""
        overall = _number(self.overall.data)
        return Scores(
            overall=NOT_A_NUMBER if overall is None else overall,
            aspects={aspect: _number(getattr(self, aspect.value).data) for aspect in Aspect},
            recommend=_number(self.recommend.data),
            comment=self.comment.data or "",
        )


class ProblemForm(FlaskForm):
    category = StringField()
    description = TextAreaField(_l("What happened?"), validators=[Optional(), max_chars(4000)])
    client_key = HiddenField()


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[Optional(), max_chars(2000)])
    client_key = HiddenField()


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("What is still wrong?"), validators=[Optional(), max_chars(2000)])
    client_key = HiddenField()


def client_key_of(form) -> str:
    """The form's key for a double tap (made when the page was shown), cut to fit the column."""
    return (form.client_key.data or "").strip()[:48]
