"""The queue worker's entry point: ``huey_consumer hk.worker.huey`` (make run starts it)."""

import gc
import os

from hk import create_app
from hk.extensions import db
from hk.queue import huey

app = create_app()


def _fresh_connections_after_fork() -> None:
    # Process workers are forked from the consumer: never share a parent's database connection.
    with app.app_context():
        db.engine.dispose(close=False)


os.register_at_fork(after_in_child=_fresh_connections_after_fork)
gc.freeze()  # start-up objects are never garbage: not scanned again, shared by the forked workers

__all__ = ["app", "huey"]
