"""Long lists a page at a time: the page asked for (kept within the pages there are) and its links."""

from __future__ import annotations

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from hk.extensions import db

PER_PAGE = 50
_MAX_PAGE = 100_000  # an absurd page number must not reach the database as an absurd offset


def paginate(query: Select, page: int | None, per_page: int = PER_PAGE) -> Pagination:
    """One page of a query, with the total; a page past the end gives the last page, none the first."""
    page = min(max(page or 1, 1), _MAX_PAGE)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if result.pages and page > result.pages:
        result = db.paginate(query, page=result.pages, per_page=per_page, error_out=False)
    return result


def page_arg(param: str = "page") -> int | None:
    """The page number a request asks for; None when absent or not a number."""
    return request.args.get(param, type=int)


def page_url(page: int, param: str = "page", at: tuple[str, dict] | None = None) -> str:
    """This page's address at another page of one of its lists, every filter kept.

    `at` names the page (endpoint, view arguments) where the list is shown when the request is not
    that page: a refused form answered by a POST to another address shows the same page.
    """
    endpoint, view_args = at or (request.endpoint, request.view_args or {})
    args = {}
    if endpoint == request.endpoint:
        args = {k: v for k, v in request.args.to_dict(flat=False).items() if not k.startswith("_")}
    return url_for(endpoint, **{**args, **view_args, param: page})
