"""Entry point: `flask --app app run`, `gunicorn app:app`."""

from hk import create_app

app = create_app()
