"""After-sales words the customer reads, in plain language (the back office may use its own, shorter ones)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from hk.domain.complaints import CaseStatus, Category
from hk.domain.feedback import Aspect

ASPECT_LABELS = {
    Aspect.QUALITY: _l("Cleaning quality"),
    Aspect.PUNCTUALITY: _l("Punctuality"),
    Aspect.ATTITUDE: _l("Attitude"),
    Aspect.PRICE: _l("Clear pricing"),
}

# What the problem is about, as the customer would say it.
CATEGORY_LABELS = {
    Category.CLEANING_QUALITY: _l("Something was not cleaned well"),
    Category.DAMAGE_OR_LOSS: _l("Something was damaged or is missing"),
    Category.LATENESS: _l("Late, or nobody came"),
    Category.ATTITUDE: _l("The staff's attitude"),
    Category.PRICE: _l("The price or the bill"),
    Category.SAFETY: _l("Something was unsafe"),
    Category.OTHER: _l("Something else"),
}

# Where the case is, and what happens next, in the customer's words.
STATUS_TEXT = {
    CaseStatus.NEW: (_l("Received"), _l("We will answer within 24 hours.")),
    CaseStatus.RESPONDED: (_l("We have answered"), _l("We are working on it.")),
    CaseStatus.INVESTIGATING: (_l("We are looking into it"), _l("We will tell you what we find.")),
    CaseStatus.REMEDY: (_l("We are putting it right"), _l("We will tell you when it is done.")),
    CaseStatus.RESOLVED: (_l("We think it is sorted"), _l("Please tell us whether it is sorted for you.")),
    CaseStatus.CLOSED: (_l("Closed"), _l("Thank you. If the problem comes back, tell us here.")),
}


def aspect_label(aspect: Aspect) -> str:
    return str(ASPECT_LABELS[aspect])
