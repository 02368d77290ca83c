"""``GET /api/v1/salons/{salon_id}/stats/?from=&to=&granularity=day|week|month``: totals and a series, cached."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from analytics.models import SalonDailyStats
from analytics.selectors import COUNT_FIELDS, GRANULARITIES, MAX_RANGE_DAYS, MONEY_FIELDS, salon_stats_cached
from analytics.services import local_today
from config.db.routing import replica_reads
from salons.tenancy.api import SalonScopedAPIView

DEFAULT_RANGE_DAYS = 30


class StatsQuerySerializer(serializers.Serializer):
    locals()["from"] = serializers.DateField(required=False, help_text="First local day (default: 29 days before to)")
    to = serializers.DateField(required=False, help_text="Last local day (default: today in the salon's zone)")
    granularity = serializers.ChoiceField(choices=GRANULARITIES, default="day")

    def validate(self, attrs):
        end = attrs.get("to") or local_today(self.context["salon"])
        start = attrs.get("from") or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"from": "Must not be after 'to'."})
        if (end - start).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError({"from": f"At most {MAX_RANGE_DAYS} days at a time."})
        return {"start": start, "end": end, "granularity": attrs["granularity"]}


def _numbers_fields() -> dict:
    fields = {name: serializers.IntegerField() for name in COUNT_FIELDS}
    for name in MONEY_FIELDS:
        fields[name] = serializers.DecimalField(max_digits=20, decimal_places=6)
        fields[f"{name}_currency"] = serializers.CharField()
    fields["no_show_rate"] = serializers.FloatField(allow_null=True)
    fields["first_response_median_seconds"] = serializers.FloatField(allow_null=True)
    return fields


StatsNumbersSerializer = type("StatsNumbersSerializer", (serializers.Serializer,), _numbers_fields())
StatsPeriodSerializer = type(
    "StatsPeriodSerializer",
    (StatsNumbersSerializer,),
    {"period": serializers.DateField(), "from": serializers.DateField(), "to": serializers.DateField()},
)


class StatsOutputSerializer(serializers.Serializer):
    salon_id = serializers.UUIDField()
    timezone = serializers.CharField()
    locals()["from"] = serializers.DateField()
    to = serializers.DateField()
    granularity = serializers.ChoiceField(choices=GRANULARITIES)
    live_through = serializers.DateTimeField(allow_null=True, help_text="Today's numbers are live up to this time.")
    totals = StatsNumbersSerializer()
    series = StatsPeriodSerializer(many=True)


class SalonStatsView(SalonScopedAPIView):
    """The salon's numbers per local day, ISO week or month: stored daily rollups plus today's live slice.

    Money is a decimal string with its currency beside it; cached answers are dropped as soon as a booking or
    message of the salon changes.
    """

    model = SalonDailyStats
    serializer_class = StatsOutputSerializer
    pagination_class = None

    @extend_schema(parameters=[StatsQuerySerializer], responses=StatsOutputSerializer)
    @replica_reads()
    def get(self, request, salon_id):
        query = StatsQuerySerializer(data=request.query_params, context={"salon": self.salon})
        query.is_valid(raise_exception=True)
        return Response(salon_stats_cached(salon=self.salon, **query.validated_data))
