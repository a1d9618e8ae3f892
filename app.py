"""Entry point: `flask --app app run`, `gunicorn app:app`."""

import gc

from hk import create_app

app = create_app()

# What start-up made lives as long as the process: the garbage collector need not scan it again and
# again (it was about 14 % of a request's CPU), and forked workers keep sharing those memory pages.
gc.freeze()
