"""Back-office forms."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from hk import labels
from hk.domain.dispatch import Repeat
from hk.domain.emergency import MAX_STEPS
from hk.formtools import email_address, max_chars, options
from hk.labels import CALL_LABELS, FOLLOW_UP_CHANNEL_LABELS
from hk.models import Role
from hk.refusals import password_refusal


class SubForm(FlaskForm):
    """A part of a form (FormField): no token of its own, WTForms' messages in the person's language."""

    class Meta:
        csrf = False


def _required():
    return DataRequired(message=_l("This is required."))


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_required(), max_chars(100)])
    phone = StringField(
        _l("Phone"),
        validators=[
            _required(),
            Regexp(r"^[0-9+\- ]{6,20}$", message=_l("Use 6 to 20 digits; + - and spaces are allowed.")),
        ],
    )
    address = StringField(_l("Address"), validators=[_required(), max_chars(300)])
    email = EmailField(
        _l("Email (optional: the record link is sent there)"),
        validators=[Optional(), max_chars(254), email_address()],
    )
    access_notes = TextAreaField(
        _l("Access: keys, door codes (shown only to the assigned worker)"),
        validators=[Optional(), max_chars(2000)],
    )
    preferences = TextAreaField(_l("Preferences"), validators=[Optional(), max_chars(2000)])
    household_notes = TextAreaField(_l("Household notes"), validators=[Optional(), max_chars(2000)])
    has_pets = BooleanField(_l("Pets at home"))
    has_children = BooleanField(_l("Children at home"))
    has_elderly = BooleanField(_l("Elderly at home"))


class AccountForm(FlaskForm):
    """A new login account: who it is, and the first password the administrator hands over."""

    username = StringField(
        _l("Username"),
        validators=[
            _required(),
            Regexp(
                r"^[a-z0-9_.-]{3,64}$", message=_l("3 to 64 small letters, digits, dot, dash or underscore.")
            ),
        ],
    )
    display_name = StringField(_l("Name"), validators=[_required(), max_chars(100)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_chars(32)])
    password = PasswordField(
        _l("First password"), validators=[_required()], render_kw={"autocomplete": "new-password"}
    )

    def validate_password(self, field):
        """The password rule (hk.domain.passwords), with the person's own username, name and phone."""
        refusal = password_refusal(field.data, self.username.data, self.display_name.data, self.phone.data)
        if refusal:
            raise ValidationError(refusal)


class NewWorkerForm(AccountForm):
    employee_no = StringField(_l("Employee no."), validators=[Optional(), max_chars(32)])


ROLE_CHOICES = [(r.value, labels.ROLE_LABELS[r.value]) for r in (Role.SUPERVISOR, Role.ADMIN, Role.WORKER)]


class StaffForm(AccountForm):
    role = SelectField(_l("Role"), choices=options(ROLE_CHOICES), default=Role.SUPERVISOR.value)


class RoleForm(FlaskForm):
    role = SelectField(_l("New role"), choices=options(ROLE_CHOICES))


class StaffEmailForm(FlaskForm):
    email = EmailField(_l("Email (optional)"), validators=[Optional(), max_chars(254), email_address()])


class WorkerForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[_required(), max_chars(100)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_chars(32)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), max_chars(254), email_address()])
    emergency_contact = StringField(_l("Emergency contact"), validators=[Optional(), max_chars(200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), max_chars(2000)])


class CertificateForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=options(
            [
                ("job", _l("Job certificate")),
                ("health", _l("Health certificate")),
                ("other", _l("Other certificate")),
            ]
        ),
    )
    name = StringField(_l("Name of the certificate (for other)"), validators=[Optional(), max_chars(100)])
    number = StringField(_l("Number"), validators=[_required(), max_chars(64)])
    issuer = StringField(_l("Issued by"), validators=[_required(), max_chars(200)])
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(message=_l("Please enter a date."))])
    valid_until = DateField(_l("Valid until"), validators=[InputRequired(message=_l("Please enter a date."))])
    scan = FileField(_l("Photo of the certificate"))

    def validate_valid_until(self, field):
        if self.valid_from.data and field.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The end is before the start."))


class TrainingForm(FlaskForm):
    course = StringField(_l("Course"), validators=[_required(), max_chars(200)])
    topic = SelectField(
        _l("Topic"),
        choices=options(
            [
                ("safety", _l("Safety")),
                ("communication", _l("Communication")),
                ("emergency", _l("Emergency handling")),
                ("skills", _l("Cleaning skills")),
                ("other", _l("Other")),
            ]
        ),
    )
    completed_on = DateField(_l("Date"), validators=[InputRequired(message=_l("Please enter a date."))])
    score = IntegerField(_l("Score"), validators=[Optional(), NumberRange(0, 100, message=_l("0 to 100."))])
    passed = BooleanField(_l("Passed"), default=True)


class JobForm(FlaskForm):
    customer = SelectField(
        _l("Customer"), coerce=int, validators=[InputRequired(message=_l("This is required."))]
    )
    service_type = SelectField(
        _l("Service"), coerce=int, validators=[InputRequired(message=_l("This is required."))]
    )
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Please enter a date."))])
    start = TimeField(_l("From"), validators=[InputRequired(message=_l("Please enter a time."))])
    end = TimeField(_l("To"), validators=[InputRequired(message=_l("Please enter a time."))])
    worker = SelectField(_l("Worker"), coerce=int, default=0)
    area_m2 = DecimalField(
        _l("Floor area (m²)"),
        places=1,
        validators=[Optional(), NumberRange(0, 100000, message=_l("Enter a number of 0 or more."))],
    )
    repeat = SelectField(
        _l("Repeat"),
        choices=options(
            [
                (Repeat.NONE.value, _l("Once")),
                (Repeat.WEEKLY.value, _l("Every week")),
                (Repeat.BIWEEKLY.value, _l("Every two weeks")),
                (Repeat.MONTHLY.value, _l("Every month")),
            ]
        ),
    )
    count = IntegerField(
        _l("How many times"),
        default=1,
        validators=[
            InputRequired(message=_l("Please enter a number.")),
            NumberRange(1, 60, message=_l("1 to 60.")),
        ],
    )
    notes = TextAreaField(_l("Notes for the worker"), validators=[Optional(), max_chars(2000)])


class AssignForm(FlaskForm):
    worker = SelectField(_l("Worker"), coerce=int, default=0)


class ReasonOnlyForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[_required(), max_chars(2000)])


class TemplateForm(FlaskForm):
    text = TextAreaField(_l("Checklist (catalogue format)"), validators=[_required(), max_chars(200_000)])


class ImportForm(FlaskForm):
    file = FileField(_l("Catalogue file (.yaml)"))


class AmountField(DecimalField):
    """A quantity or a price: a number of 0 or more with at most two decimals, or one message saying so."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, places=2, **kwargs)
        self.message = message or _l("Enter a number of 0 or more, with at most two decimals.")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        try:
            value = Decimal(valuelist[0].strip())
            exact = value.is_finite() and value >= 0 and value == value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            exact = False
        if not exact:
            raise ValueError(str(self.message))
        self.data = value

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:  # the field was not sent at all
            raise StopValidation(str(self.message))


class QuoteLineForm(SubForm):
    """One line of a quote; line_id says which line, so the order of lines never matters."""

    line_id = HiddenField()
    quantity = AmountField(
        _l("Qty"), message=_l("The quantity must be a number of 0 or more, with at most two decimals.")
    )
    unit_price = AmountField(
        _l("Price"), message=_l("The price must be a number of 0 or more, with at most two decimals.")
    )


class QuoteForm(FlaskForm):
    lines = FieldList(FormField(QuoteLineForm), max_entries=200)
    reason = StringField(
        _l("Reason for the change"),
        id="quote_reason",
        validators=[DataRequired(message=_l("Please give a reason for the change.")), max_chars(500)],
    )


class PriceForm(FlaskForm):
    unit_price = AmountField(
        _l("Price"), message=_l("The price must be a number of 0 or more, with at most two decimals.")
    )


class FollowUpForm(FlaskForm):
    """A follow-up call, visit or message (回访) and what came of it."""

    channel = RadioField(
        _l("How"),
        choices=options(FOLLOW_UP_CHANNEL_LABELS),
        default="call",
        validators=[InputRequired(message=_l("Please choose how you followed up."))],
    )
    satisfied = RadioField(
        _l("Is the customer satisfied?"),
        choices=options([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired(message=_l("Please say whether the customer is satisfied."))],
    )
    score = RadioField(
        _l("Score (1–5, optional)"),
        choices=options((str(n), str(n)) for n in range(1, 6)),
        validators=[Optional()],
    )
    notes = TextAreaField(
        _l("What the customer said"),
        validators=[max_chars(2000)],
    )
    next_step = TextAreaField(
        _l("Next step"),
        validators=[max_chars(1000)],
    )
    client_key = HiddenField()


class PlanStepForm(SubForm):
    zh = TextAreaField("中文", validators=[max_chars(300)])
    en = TextAreaField("English", validators=[max_chars(300)])


class EmergencyPlanForm(FlaskForm):
    """One incident type's emergency plan: the numbers to call and the steps in both languages."""

    calls = SelectMultipleField(
        _l("Numbers to call, as buttons"),
        choices=options(CALL_LABELS),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Choose at least one number to call."))],
    )
    steps = FieldList(FormField(PlanStepForm), max_entries=MAX_STEPS + 2)
