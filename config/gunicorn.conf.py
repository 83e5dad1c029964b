"""gunicorn for Yishi: `gunicorn -c config/gunicorn.conf.py`. Every knob can be changed from the environment.

Workers. Yishi's pages are CPU-bound Python (templates, ORM) with short waits on PostgreSQL and
Redis, so the processes follow the cores: `gthread`, 2 × cores processes of 2 threads each by
default, 4 × 2 on a 2-core server. The load run (benchmarks/load, 50 users, the factor-1 school,
five interleaved 30-second runs each on a 2-core server that other work was also using) gave:

    candidate                        req/s   p50 ms   p95 ms   requests per CPU-second
    sync, 2 × cores + 1 = 5           14.8     2900     4000     15.5
    gthread, 2 processes × 4 threads  18.4     1800     4200     15.6
    gthread, 4 processes × 2 threads  18.1     1600     4600     15.7

The CPU each request costs is the same for the three: the cores are the limit. Sync serves
fewer requests: it closes the connection after every response (no keep-alive), and a fifth
process only competes for the same two cores. The two gthread shapes are level; four processes
are chosen because a heavy request (an archive PDF, an Excel export) holds the GIL of its own
process only, slowing one thread in four instead of one in two. Both open workers × threads = 8
database connections (each thread has its own, kept for DB_CONN_MAX_AGE).
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


cores = multiprocessing.cpu_count()

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = _int("GUNICORN_THREADS", 2 if worker_class == "gthread" else 1)
workers = _int("WEB_CONCURRENCY", 2 * cores)

# A page that takes longer than this is stuck: the worker is restarted and the request fails
# (the error log names the URL). A restart lets running requests finish for graceful_timeout.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Browsers (and the reverse proxy) reuse connections; gthread keeps them open this long.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle a process now and then so that slow growth in memory never accumulates; jitter keeps
# the processes from restarting together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)

# The Django application is loaded once in the master and shared by the forked workers
# (quicker start, less memory); database connections are only opened in the workers.
preload_app = True

# Access log off unless asked for (GUNICORN_ACCESSLOG=- or a path): the reverse proxy keeps one,
# and writing a line per request costs the workers time. Errors, with Django's tracebacks for
# 5xx responses (the django.request logger), go to the error log.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "yishi"
# gunicorn's control socket (for gunicornc) defaults to one path per user account, which a
# second instance on the same machine would take over and remove when it stops; give each its own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
