"""Project-level views: liveness and readiness."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from innovation_centre.celery import app as celery_app


def database_is_up():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


# A readiness probe must answer quickly: give up on the broker after about two seconds.
BROKER_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 0}


def broker_is_up():
    try:
        with celery_app.connection_for_write(transport_options=BROKER_TIMEOUTS) as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_is_up(), "broker": broker_is_up()}
    body = {name: "ok" if up else "down" for name, up in checks.items()}
    body["status"] = "ok" if all(checks.values()) else "down"
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
