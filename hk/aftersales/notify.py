"""Who is told what when a case changes: the customer (their case's replies and status) and staff
(a case assigned, a clock about to run out, a breach).

The case service and the routes call these after committing a change. They queue messages
(hk's message outbox, sent by the task queue); until the outbox is wired in they only decide
nothing and return, so callers never depend on a message being sent.
"""

from __future__ import annotations

from hk.models import CaseReply, Complaint


def case_opened(case: Complaint) -> None:
    """A new case: the owner, if named, is told it is theirs; the customer gets a receipt."""


def case_assigned(case: Complaint) -> None:
    """The named owner is told the case is now theirs."""


def reply_posted(reply: CaseReply) -> None:
    """A staff reply the customer may see goes to the customer; a customer's reply to the owner."""


def status_changed(case: Complaint) -> None:
    """The customer is told their case moved on (resolved: with a way to confirm or reopen)."""
