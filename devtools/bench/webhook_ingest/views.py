"""The benchmark's baseline: a bare Django insert-only view (served without middleware by ``.wsgi`` here)."""

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

BASELINE_TABLE = "webhook_bench_baseline"


@csrf_exempt
def baseline_insert(request):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BASELINE_TABLE} (body) VALUES (%s)", [request.body])
    return HttpResponse(status=200)
