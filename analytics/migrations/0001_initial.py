"""The rollup models arrive from salons (SalonDailyStats) and ai_conversations (IntentDailyStat) by state only.

Their tables keep their names (``db_table``), columns, constraints, row-level-security policies and autovacuum
settings: no SQL runs on them, so a database migrated from the previous head keeps every row
(analytics/tests/test_migration_move.py). The content types move with them, so admin log entries keep pointing at
the right model. Reversible.
"""

from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MOVED = {"salondailystats": "salons", "intentdailystat": "ai_conversations"}


def _move_content_types(apps, schema_editor, *, forward: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    types = content_type.objects.using(schema_editor.connection.alias)
    for model, old_label in MOVED.items():
        # A fresh database has no content types yet (post_migrate creates them); an upgraded one has the old.
        source, target = (old_label, "analytics") if forward else ("analytics", old_label)
        if not types.filter(app_label=target, model=model).exists():
            types.filter(app_label=source, model=model).update(app_label=target)


def content_types_forward(apps, schema_editor):
    _move_content_types(apps, schema_editor, forward=True)


def content_types_backward(apps, schema_editor):
    _move_content_types(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("salons", "0007_salondailystats_to_analytics"),
        ("ai_conversations", "0006_intentdailystat_to_analytics"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IntentDailyStat",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        (
                            "intent",
                            models.CharField(
                                choices=[
                                    ("greeting", "Greeting"),
                                    ("book", "Book"),
                                    ("ask_availability", "Ask availability"),
                                    ("reschedule", "Reschedule"),
                                    ("cancel", "Cancel"),
                                    ("confirm", "Yes / confirm"),
                                    ("decline", "No"),
                                    ("my_bookings", "My bookings"),
                                    ("prices_services", "Prices and services"),
                                    ("opening_hours", "Opening hours"),
                                    ("location", "Location"),
                                    ("talk_to_human", "Talk to a person"),
                                    ("thanks", "Thanks"),
                                    ("unknown", "Not understood"),
                                ],
                                max_length=24,
                            ),
                        ),
                        ("count", models.PositiveIntegerField(default=0)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "salon",
                            models.ForeignKey(
                                db_index=False,
                                editable=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="salons.salon",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "ai_conversations_intentdailystat",
                        "ordering": ["-day", "intent"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("salon", "day", "intent"), name="intentstat_unique_salon_day_intent"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "intent__in",
                                        [
                                            "greeting",
                                            "book",
                                            "ask_availability",
                                            "reschedule",
                                            "cancel",
                                            "confirm",
                                            "decline",
                                            "my_bookings",
                                            "prices_services",
                                            "opening_hours",
                                            "location",
                                            "talk_to_human",
                                            "thanks",
                                            "unknown",
                                        ],
                                    )
                                ),
                                name="intentstat_intent_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SalonDailyStats",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(help_text="The salon's local date.")),
                        ("bookings_created", models.PositiveIntegerField(default=0)),
                        ("bookings_confirmed", models.PositiveIntegerField(default=0)),
                        ("bookings_cancelled", models.PositiveIntegerField(default=0)),
                        ("bookings_completed", models.PositiveIntegerField(default=0)),
                        ("bookings_no_show", models.PositiveIntegerField(default=0)),
                        ("revenue", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14)),
                        ("revenue_currency", models.CharField(blank=True, max_length=3)),
                        ("new_customers", models.PositiveIntegerField(default=0)),
                        ("messages_in", models.PositiveIntegerField(default=0)),
                        ("messages_out", models.PositiveIntegerField(default=0)),
                        ("templates_sent", models.PositiveIntegerField(default=0)),
                        (
                            "conversations_opened",
                            models.PositiveIntegerField(default=0, help_text="Customer-service windows opened."),
                        ),
                        ("whatsapp_cost", models.DecimalField(decimal_places=6, default=Decimal("0"), max_digits=14)),
                        ("whatsapp_cost_currency", models.CharField(blank=True, max_length=3)),
                        ("ai_messages", models.PositiveIntegerField(default=0, help_text="Assistant replies sent.")),
                        ("ai_tokens", models.PositiveBigIntegerField(default=0)),
                        ("ai_cost", models.DecimalField(decimal_places=6, default=Decimal("0"), max_digits=14)),
                        ("ai_cost_currency", models.CharField(blank=True, max_length=3)),
                        ("handoffs", models.PositiveIntegerField(default=0)),
                        ("first_response_median_seconds", models.FloatField(blank=True, null=True)),
                        (
                            "first_responses",
                            models.PositiveIntegerField(
                                default=0, help_text="Customer turns the median is taken over."
                            ),
                        ),
                        (
                            "is_final",
                            models.BooleanField(
                                default=False, help_text="Recomputed after the salon's local midnight."
                            ),
                        ),
                        ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "salon",
                            models.ForeignKey(
                                db_index=False,
                                editable=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="salons.salon",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "salon daily stats",
                        "verbose_name_plural": "salon daily stats",
                        "db_table": "salons_salondailystats",
                        "ordering": ["-day"],
                        "constraints": [
                            models.UniqueConstraint(fields=("salon", "day"), name="salondailystats_unique_salon_day")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
