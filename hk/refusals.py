"""Every refusal the rules can give (hk.domain's RefusalCode and PasswordProblem), as a sentence in
the person's language.

One table for every screen. A code without a sentence is a bug: `refusal_text` raises KeyError and
tests/test_refusals.py, which asks for every code in both languages, fails.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import format_currency, format_time
from flask_babel import gettext as _

from hk.domain.passwords import MAX_LENGTH, MIN_LENGTH, PasswordProblem, password_problem
from hk.domain.workflow import Refusal, RefusalCode
from hk.models.catalog import pick
from hk.views_helpers import problem_text


def item_label(stages: list[dict], item_code: str, lang: str) -> str:
    """An item's label from a job's snapshot."""
    for stage in stages:
        for item in stage["items"]:
            if item["code"] == item_code:
                return pick(item["label"]["zh_CN"], item["label"]["en"], lang)
    return item_code


def _not_qualified(p: dict, name: str) -> str:
    problems = "; ".join(problem_text(x) for x in p.get("problems", []))
    if name:
        return _("%(name)s cannot take this job: %(problems)s.", name=name, problems=problems)
    return _("You cannot start this job: %(problems)s.", problems=problems)


def _overlap(p: dict, name: str) -> str:
    return _(
        "%(name)s already has job %(number)s from %(start)s to %(end)s.",
        name=name,
        number=p["number"],
        start=format_time(p["start"], "HH:mm"),
        end=format_time(p["end"], "HH:mm"),
    )


C = RefusalCode
_TEXTS: dict[RefusalCode, Callable[[dict, str, str], str]] = {
    # (params, the item's label, the worker's name) -> sentence
    C.NOT_QUALIFIED: lambda p, item, name: _not_qualified(p, name),
    C.OVERLAP: lambda p, item, name: _overlap(p, name),
    C.ITEM_MISSING: lambda p, item, name: _("Not done yet: %(item)s", item=item),
    C.PHOTO_MISSING: lambda p, item, name: _("Photo needed: %(item)s", item=item),
    C.NOT_SAFE: lambda p, item, name: _("Marked not safe: %(item)s", item=item),
    C.QUOTE_NOT_CONFIRMED: lambda p, item, name: _("Confirm the itemised quote with the customer first."),
    C.TOOLS_NOT_REMOVED: lambda p, item, name: _("Confirm that all tools and materials have been removed."),
    C.STAGE_LOCKED: lambda p, item, name: _("This step is not open yet. Finish the earlier steps first."),
    C.STAGE_COMPLETED: lambda p, item, name: _("This step is already complete and can no longer be changed."),
    C.JOB_PAUSED: lambda p, item, name: _(
        "The job is paused after a serious incident. Please wait for your supervisor."
    ),
    C.JOB_BLOCKED: lambda p, item, name: _(
        "The job is blocked because the site was marked not safe. Your supervisor has been told."
    ),
    C.WRONG_STATUS: lambda p, item, name: _("This cannot be done at this point of the job."),
    C.SAFETY_NEEDS_ANSWER: lambda p, item, name: _("Please answer safe or not safe."),
    C.UNKNOWN_STAGE: lambda p, item, name: _("That step is not part of this job."),
    C.UNKNOWN_ITEM: lambda p, item, name: _("That checklist item does not exist."),
    C.UNKNOWN_ANSWER: lambda p, item, name: _("That answer is not possible for this item."),
    C.UNKNOWN_ACTION: lambda p, item, name: _("This cannot be done at this point of the job."),
    C.END_BEFORE_START: lambda p, item, name: _("The end time must be after the start time."),
    C.WINDOW_MISSING: lambda p, item, name: _("Please enter the start and end time."),
    C.WINDOW_TOO_LONG: lambda p, item, name: _("A job may last at most 14 hours."),
    C.WORKER_UNAVAILABLE: lambda p, item, name: _("This worker's account is disabled."),
    C.ALREADY_STARTED: lambda p, item, name: _("The job has started; it can no longer be reassigned."),
    C.QUOTE_CONFIRMED: lambda p, item, name: _(
        "The customer has confirmed this quote; it can no longer be changed."
    ),
    C.CASE_WRONG_STATUS: lambda p, item, name: _("This cannot be done at this point of the case."),
    C.CASE_ALREADY_PAUSED: lambda p, item, name: _("The resolution clock is already paused."),
    C.CASE_NOT_PAUSED: lambda p, item, name: _("The resolution clock is not paused."),
    C.CASE_NEEDS_ROOT_CAUSE: lambda p, item, name: _(
        "Please write the root cause before resolving the case."
    ),
    C.CASE_NEEDS_REASON: lambda p, item, name: _("Please give the reason."),
    C.CASE_WRONG_JOB: lambda p, item, name: _("That job is not one of this customer's jobs."),
    C.OWNER_NOT_STAFF: lambda p, item, name: _(
        "The person responsible must be a supervisor or an administrator."
    ),
    C.RECEIVED_IN_FUTURE: lambda p, item, name: _("The time received cannot be in the future."),
    C.RECEIVED_TOO_LONG_AGO: lambda p, item, name: _("The time received must be within the last year."),
    C.RATING_OUT_OF_RANGE: lambda p, item, name: _("Please choose a score from the ones shown."),
    C.RATING_LOCKED: lambda p, item, name: _(
        "A rating can be changed only within %(days)d days, so yours is kept as it is. "
        "If something is wrong, please report a problem below.",
        days=p.get("days", 3),
    ),
    C.OWN_PHONE_ONLY: lambda p, item, name: _(
        "This phone belongs to our staff. Please rate us or report a problem on your own phone: "
        "open the link in our message, or scan the code shown after signing."
    ),
    C.UNKNOWN_CATEGORY: lambda p, item, name: _("Please choose what the problem is about."),
    C.PROBLEM_NEEDS_DESCRIPTION: lambda p, item, name: _("Please tell us what happened."),
    C.TOO_MANY_PHOTOS: lambda p, item, name: _("Please send at most %(max)d photos.", max=p.get("max", 3)),
    C.CASE_CLOSED: lambda p, item, name: _(
        "This case is closed. If the problem is back, please tap “The problem is back”."
    ),
    C.MESSAGE_EMPTY: lambda p, item, name: _("Please write your message."),
    C.REMEDY_NEEDS_AMOUNT: lambda p, item, name: _("Please enter an amount greater than zero."),
    C.REMEDY_NEEDS_DESCRIPTION: lambda p, item, name: _(
        "Please say what the compensation is for, or what was said to the customer."
    ),
    C.REMEDY_NEEDS_ADMIN: lambda p, item, name: _("Only an administrator can approve or reject this sum."),
    C.REMEDY_WRONG_STATUS: lambda p, item, name: _("This remedy has already been decided or carried out."),
    C.RECLEAN_NEEDS_JOB: lambda p, item, name: _(
        "A re-clean needs the job the complaint is about. Open the case on that job first."
    ),
    C.REFUND_NEEDS_JOB: lambda p, item, name: _("A refund needs the job it pays back."),
    C.REFUND_ABOVE_TOTAL: lambda p, item, name: _(
        "Refunds cannot exceed the job's total of %(total)s; at most %(left)s is left to refund.",
        total=format_currency(p["total"], "CNY"),
        left=format_currency(p["left"], "CNY"),
    ),
    C.NOT_ADMIN: lambda p, item, name: _("Only an administrator can do this."),
    C.LAST_ADMIN: lambda p, item, name: _(
        "The company needs at least one active administrator. Make someone else an administrator first."
    ),
    C.OPEN_JOBS: lambda p, item, name: _(
        "%(count)d unfinished job(s) are assigned to this cleaner. Reassign them first.", count=p["count"]
    ),
    C.PASSWORD_TOO_SHORT: lambda p, item, name: _(
        "The password needs at least %(min)d characters.", min=p["min"]
    ),
    C.PASSWORD_TOO_LONG: lambda p, item, name: _(
        "The password may have at most %(max)d characters.", max=p["max"]
    ),
}


def refusal_text(refusal: Refusal, *, stages: list[dict] = (), lang: str = "zh_CN", name: str = "") -> str:
    """One refusal as a sentence; `stages` name the items of a job, `name` the worker concerned."""
    params = dict(refusal.params)
    item = item_label(list(stages), str(params["item"]), lang) if "item" in params else ""
    return _TEXTS[refusal.code](params, item, name)


P = PasswordProblem
_PASSWORD_TEXTS: dict[PasswordProblem, Callable[[], str]] = {
    P.TOO_SHORT: lambda: _(
        "Use at least %(min)d characters. A short sentence you can remember works well.", min=MIN_LENGTH
    ),
    P.TOO_LONG: lambda: _("Use at most %(max)d characters.", max=MAX_LENGTH),
    P.PERSONAL: lambda: _(
        "The password must not contain the username, the name, the phone number or the company's name."
    ),
    P.COMMON: lambda: _(
        "This password is one of the most common ones, or one with a few characters added. "
        "Please choose another."
    ),
    P.PATTERN: lambda: _(
        "This password is too easy to guess: a row or a repeat, like 12345678 or 88888888. "
        "Please choose another."
    ),
}


def password_text(problem: PasswordProblem) -> str:
    """Why a password was refused, as a sentence."""
    return _PASSWORD_TEXTS[problem]()


def password_refusal(password: str, *personal: str | None) -> str | None:
    """The sentence refusing a password that breaks the rule (hk.domain.passwords), or None.

    `personal` are the person's username, name and phone; the company's name is added here.
    """
    problem = password_problem(password, (*personal, current_app.config.get("COMPANY_NAME")))
    return None if problem is None else password_text(problem)
