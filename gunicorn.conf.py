"""gunicorn's settings for the app (read by ``gunicorn wsgi:app`` from this folder; ``make serve-prod``).

WEB_WORKERS processes (default 4) of WEB_THREADS threads each (default 1: sync workers; more: gthread).
booking.config sizes each worker's database pool from the same WEB_THREADS. The README's "Production"
section gives the measured figures behind the defaults.
"""
import os

workers = int(os.environ.get("WEB_WORKERS", "4"))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 120
limit_request_line = 8190
