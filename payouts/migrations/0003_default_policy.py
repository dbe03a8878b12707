import datetime
from zoneinfo import ZoneInfo

from django.db import migrations


def load_defaults(apps, schema_editor):
    from payouts.defaults import create_default_policy

    year = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).year
    create_default_policy(
        apps.get_model("payouts", "Policy"),
        apps.get_model("payouts", "PayoutScheme"),
        apps.get_model("payouts", "PayoutBand"),
        year,
    )


class Migration(migrations.Migration):
    dependencies = [("payouts", "0002_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
