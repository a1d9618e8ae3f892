"""The queue worker's entry point: ``huey_consumer hk.worker.huey`` (make run starts it)."""

from hk import create_app
from hk.queue import huey

app = create_app()

__all__ = ["app", "huey"]
