"""Serving: waitress for HTTP, and the Huey consumer in the same process by default."""

import signal


def create_consumer():
    """A Huey consumer that knows every task before it reads its first message.

    Huey turns a message back into a task through a registry that a task joins when its
    module is imported. Nothing in a bare worker process imports ``<app>.tasks`` (the web
    process does so only when it first queues a job), so without this the consumer drops
    every message as "not found in TaskRegistry". ``run_huey`` does the same discovery.
    """
    from django.conf import settings
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    return HUEY.create_consumer(**settings.HUEY.get("consumer", {}))


class Worker:
    """The job consumer's threads plus the lease sweeper, started and stopped together."""

    def __init__(self):
        from becoming.jobs.lease import Sweeper

        self.consumer = create_consumer()
        self.sweeper = Sweeper()

    def start(self):
        self.consumer.start()
        self.sweeper.start()
        return self

    def stop(self, graceful: bool = True) -> None:
        self.sweeper.stop()
        self.consumer.stop(graceful=graceful)


def start_consumer() -> Worker:
    """Run jobs on threads of this process; returns what ``stop()`` ends."""
    worker = Worker().start()
    # The consumer installs handlers meant for its own main loop; the web server owns ours.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return worker


def serve_forever(host: str, port: int, worker: bool = True) -> None:
    import waitress

    from becoming.wsgi import application

    consumer = start_consumer() if worker else None
    try:
        waitress.serve(application, host=host, port=port, threads=8, _quiet=True)
    except KeyboardInterrupt:
        pass
    finally:
        if consumer:
            consumer.stop(graceful=False)


def run_worker() -> None:
    """`becoming worker`: the consumer's own main loop (it handles SIGTERM and SIGINT)."""
    from becoming.jobs.lease import Sweeper

    sweeper = Sweeper().start()
    try:
        create_consumer().run()
    finally:
        sweeper.stop()
