"""Health checks of the services the app depends on, each bounded in time."""

import time

import redis
from django.conf import settings
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as such
        return False, type(exc).__name__
    return True, "ok"


def check_broker(timeout: float = 0.5) -> tuple[bool, str]:
    """Ping the Redis broker; with no broker configured, tasks run in-process and that is fine."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return True, "eager (no broker configured)"
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as exc:
        return False, type(exc).__name__
    finally:
        client.close()
    return True, "ok"


def health_report() -> tuple[bool, dict]:
    started = time.monotonic()
    db_ok, db_detail = check_database()
    broker_ok, broker_detail = check_broker()
    healthy = db_ok and broker_ok
    return healthy, {
        "status": "ok" if healthy else "degraded",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }
