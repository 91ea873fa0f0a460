"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Phones on slow data keep their connection open between pages and send slowly. A thread
waits on each such connection, so the threads must outnumber the phones connected at once,
not the cores: with 4 threads a worker, 220 simulated phones waited seconds behind idle
connections; with 64 they answer in milliseconds (tests/benchmarks/bench_load.py).
A buffering proxy in front (nginx) also shields the workers from slow clients; tell the
application it is there (``LMS_TRUSTED_PROXIES=1``), or every client has the proxy's address.

Several workers must share their rate-limit counts: with ``memory://`` storage, the start is
refused (``on_starting``); set ``LMS_RATELIMIT_STORAGE_URI=redis://…``.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 64))
#: longer than a reader waits between two pages
keepalive = 15


def on_starting(server) -> None:
    """Refuse to start workers that would each keep their own rate-limit counts."""
    from lms import config, create_app

    config.check_rate_limit_storage(create_app().config, server.cfg.workers)
