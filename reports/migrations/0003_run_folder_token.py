import secrets

from django.db import migrations, models

import reports.models


def give_each_run_its_own_token(apps, schema_editor):
    # AddField evaluates the default once: every existing row got the same token. Their stored
    # files keep their names; a rebuild of one of them gets a folder of its own.
    ReportRun = apps.get_model("reports", "ReportRun")
    for run in ReportRun.objects.only("pk").iterator():
        ReportRun.objects.filter(pk=run.pk).update(folder_token=secrets.token_urlsafe(18))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_run_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportrun",
            name="folder_token",
            field=models.CharField(
                default=reports.models.new_folder_token,
                editable=False,
                max_length=32,
                verbose_name="folder token",
            ),
        ),
        migrations.RunPython(give_each_run_its_own_token, migrations.RunPython.noop),
    ]
