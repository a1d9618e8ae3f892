"""The queue worker's entry point: ``huey_consumer hk.worker.huey`` (make run starts it)."""

import gc
import os
import sys

from hk import create_app
from hk.extensions import db
from hk.queue import huey
from hk.records.keys import SigningKeysMissing
from hk.records.service import company_keys

app = create_app()
with app.app_context():
    try:
        company_keys()  # read once, before the workers fork; none to sign with stops the worker here
    except (SigningKeysMissing, ValueError, OSError) as error:
        sys.exit(f"hk's queue worker cannot sign records: {error}")


def _fresh_connections_after_fork() -> None:
    # Process workers are forked from the consumer: never share a parent's database connection.
    with app.app_context():
        db.engine.dispose(close=False)


os.register_at_fork(after_in_child=_fresh_connections_after_fork)
gc.freeze()  # start-up objects are never garbage: not scanned again, shared by the forked workers

__all__ = ["app", "huey"]
