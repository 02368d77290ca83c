# Customers known by business-scoped user ID and username (WhatsApp 2026): phone becomes optional, BSUID unique per
# salon. All in one transaction, so the phone uniqueness is never absent. Reversing needs every customer to have a
# phone again (BSUID-only customers must be deleted or given one first), as the old constraint was on every row.

from django.db import migrations, models

import salons.models


class Migration(migrations.Migration):
    dependencies = [
        ("salons", "0007_salondailystats_to_analytics"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="customer",
            name="customer_unique_salon_phone",
        ),
        migrations.AddField(
            model_name="customer",
            name="bsuid",
            field=models.CharField(
                blank=True,
                help_text="WhatsApp's user_id for this business, for example US.13491208655302741918",
                max_length=140,
                validators=[salons.models.validate_bsuid],
                verbose_name="business-scoped user ID",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="username",
            field=models.CharField(blank=True, help_text="WhatsApp username, when the user has one", max_length=100),
        ),
        migrations.AlterField(
            model_name="customer",
            name="phone",
            field=models.CharField(blank=True, help_text="E.164, for example +4915112345678", max_length=20),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("phone", ""), _negated=True),
                fields=("salon", "phone"),
                name="customer_unique_salon_phone",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("bsuid", ""), _negated=True),
                fields=("salon", "bsuid"),
                name="customer_unique_salon_bsuid",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("phone", ""), _negated=True),
                    models.Q(("wa_id", ""), _negated=True),
                    models.Q(("bsuid", ""), _negated=True),
                    _connector="OR",
                ),
                name="customer_has_an_identity",
            ),
        ),
    ]
