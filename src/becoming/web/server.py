"""Serving: waitress for HTTP, and the Huey consumer in the same process by default."""

import signal


def start_consumer():
    """Start the job consumer's threads in this process; returns the consumer."""
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    consumer = HUEY.create_consumer(**settings.HUEY.get("consumer", {}))
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
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    HUEY.create_consumer(**settings.HUEY.get("consumer", {})).run()
