"""gunicorn settings for hk (`gunicorn -c python:hk.gunicorn_conf app:app`).

gunicorn writes `Server: gunicorn` into every answer and has no setting to leave it out; telling the
world which server answers helps nobody but someone looking for a known weakness. This drops that
line from the headers gunicorn writes itself (the app sets no Server header).
"""

from __future__ import annotations

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _headers_without_server(self) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server
