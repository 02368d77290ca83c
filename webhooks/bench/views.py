"""The benchmark's baseline: the least a Django view can do per webhook (read the body, one INSERT, answer 200)."""

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

BASELINE_TABLE = "webhook_bench_baseline"


@csrf_exempt
def baseline_insert(request):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BASELINE_TABLE} (body) VALUES (%s)", [request.body])  # noqa: S608
    return HttpResponse(status=200)
