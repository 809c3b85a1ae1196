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


def start_consumer():
    """Start the job consumer's threads in this process; returns the consumer."""
    consumer = create_consumer()
    consumer.start()
    # The consumer installs handlers meant for its own main loop; the web server owns ours.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return consumer


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
    create_consumer().run()
