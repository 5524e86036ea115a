"""The audit trail stores objects by type and id and values as JSON, instead of a sentence.

Existing entries keep their object (the content type is found from the model name they stored)
and their message: as nothing where it only repeated the object's name (the sentence now reads the
current name), as the changed field names, as the label of a deleted row, or else as legacy text
(``data["text"]``) that is shown as it was and dropped when the person it is about is erased."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The app of each model an entry named before the trail was structured (``object_type`` held the
# model name only); every other name belongs to ``programmes``.
APP_OF_MODEL = {
    "participant": "participants",
    "peergroup": "participants",
    "trainingday": "training",
    "slot": "training",
    "activity": "training",
    "attendance": "training",
    "reportrun": "reports",
}
# Actions whose message only repeated the object's name: the sentence now renders it from the
# current name, so the text (which may hold an old name) is dropped.
NAME_ONLY = {
    "participants.created",
    "participants.exported",
    "participants.erased",
    "peer_groups.created",
    "peer_groups.updated",
    "application.started",
    "application.saved",
    "application.submitted",
    "call.created",
    "call.updated",
    "funding.created",
    "funding.updated",
    "budgetline.created",
    "budgetline.updated",
    "report.requested",
    "report.downloaded",
}


def legacy_data(action: str, message: str) -> dict:
    if not message or action in NAME_ONLY:
        return {}
    if action.startswith("timetable."):
        return {"label": message} if action.endswith("_deleted") else {}
    if action.endswith(".deleted"):
        return {"label": message}  # a finance row: the name of its funder or line
    if action in ("participants.updated", "programme.updated"):
        return {"fields": [name for name in message.split(", ") if name]}
    # "<city>: <code>": the code becomes a value, the city is named by the related object.
    _city, _sep, code = message.rpartition(": ")
    if action == "application.decided" and code in DECISIONS:
        return {"decision": code}
    if action in ("review.submitted", "review.updated") and code in RECOMMENDATIONS:
        return {"recommendation": code}
    return {"text": message}


DECISIONS = ("selected", "waitlisted", "rejected")
RECOMMENDATIONS = ("select", "waitlist", "reject")
# Actions whose entries name their city as the related object.
CITY_RELATED = {
    "application.started",
    "application.saved",
    "application.submitted",
    "application.withdrawn",
    "application.information_requested",
    "application.reviewers_assigned",
    "application.decided",
    "participants.from_application",
    "participants.deactivated",
}


def structure_entries(apps, schema_editor) -> None:
    alias = schema_editor.connection.alias
    entry_model = apps.get_model("programmes", "AuditEntry")
    content_type = apps.get_model("contenttypes", "ContentType")
    types: dict[str, int] = {}
    changed = []
    for entry in entry_model.objects.using(alias).iterator():
        name = entry.object_type
        if name and name not in types:
            types[name] = (
                content_type.objects.using(alias)
                .get_or_create(app_label=APP_OF_MODEL.get(name, "programmes"), model=name)[0]
                .pk
            )
        entry.target_type_id = types.get(name)
        entry.target_id = int(entry.object_id) if entry.object_id.isdigit() else None
        entry.data = legacy_data(entry.action, entry.message)
        entry.related_id = _city_of(apps, alias, entry)
        if entry.related_id is not None:
            entry.related_type_id = content_type.objects.using(alias).get_or_create(
                app_label="programmes", model="city"
            )[0].pk
        changed.append(entry)
    entry_model.objects.using(alias).bulk_update(
        changed, ["target_type", "target_id", "related_type", "related_id", "data"], batch_size=500
    )


def _city_of(apps, alias: str, entry) -> int | None:
    """The city an old entry about an application (or a review of one) named in its text."""
    if entry.target_id is None:
        return None
    if entry.action in CITY_RELATED and entry.object_type == "cityapplication":
        applications = apps.get_model("programmes", "CityApplication").objects.using(alias)
        return applications.filter(pk=entry.target_id).values_list("city_id", flat=True).first()
    if entry.action in ("review.submitted", "review.updated") and entry.object_type == "review":
        reviews = apps.get_model("programmes", "Review").objects.using(alias)
        return (
            reviews.filter(pk=entry.target_id)
            .values_list("application__city_id", flat=True)
            .first()
        )
    return None


def unstructure_entries(apps, schema_editor) -> None:
    alias = schema_editor.connection.alias
    entry_model = apps.get_model("programmes", "AuditEntry")
    changed = []
    for entry in entry_model.objects.using(alias).select_related("target_type").iterator():
        entry.object_type = entry.target_type.model if entry.target_type_id else ""
        entry.object_id = str(entry.target_id or "")
        data = entry.data or {}
        entry.message = str(
            data.get("text") or data.get("label") or ", ".join(data.get("fields", []))
        )
        changed.append(entry)
    entry_model.objects.using(alias).bulk_update(
        changed, ["object_type", "object_id", "message"], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0002_city_moved_from_participants"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="values"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="related_id",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="related object id"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="related_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="related object type",
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="object id"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="target_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="object type",
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["target_type", "target_id"], name="auditentry_target"),
        ),
        migrations.RunPython(structure_entries, unstructure_entries),
        migrations.RemoveField(
            model_name="auditentry",
            name="message",
        ),
        migrations.RemoveField(
            model_name="auditentry",
            name="object_id",
        ),
        migrations.RemoveField(
            model_name="auditentry",
            name="object_type",
        ),
    ]
