"""City moved from ``participants`` to ``programmes``: an installation made before keeps its data,
and the migration graph follows the layers."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection
from django.db.migrations.loader import MigrationLoader

from participants.models import Participant
from programmes.models import City, CityApplication
from tests import factories

move = importlib.import_module("programmes.migrations.0002_city_moved_from_participants")


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def make_old_installation() -> int:
    """Put the database back in the shape an installation made before the move had: the cities
    in ``participants_city`` (the foreign keys following the table) and the content type
    ``participants.city``. Returns the content type's id."""
    with connection.schema_editor() as editor:
        editor.alter_db_table(City, "programmes_city", "participants_city")
    content_type = ContentType.objects.get_for_model(City)
    content_type.app_label = "participants"
    content_type.save()
    ContentType.objects.clear_cache()
    return content_type.pk


@pytest.mark.django_db(transaction=True)
def test_an_old_installation_keeps_its_cities_ids_and_foreign_keys():
    aubervilliers = factories.CityFactory(name="Aubervilliers", insee_code="93001")
    bondy = factories.CityFactory(name="Bondy", insee_code="93010")
    application = factories.CityApplicationFactory(city=bondy)
    person = factories.ParticipantFactory(city=aubervilliers)
    content_type_id = make_old_installation()
    assert "programmes_city" not in tables()
    codenames = set(
        Permission.objects.filter(content_type_id=content_type_id).values_list(
            "codename", flat=True
        )
    )
    # post_migrate of the new code made a fresh ``programmes.city`` type meanwhile.
    ContentType.objects.create(app_label="programmes", model="city")

    with connection.schema_editor() as editor:
        move.move_city_table(apps, editor)
    ContentType.objects.clear_cache()

    assert "participants_city" not in tables()
    assert dict(City.objects.values_list("pk", "name")) == {
        aubervilliers.pk: "Aubervilliers",
        bondy.pk: "Bondy",
    }
    assert Participant.objects.get(pk=person.pk).city.name == "Aubervilliers"
    assert CityApplication.objects.filter(city__name="Bondy").get() == application
    # The foreign keys still guard the moved table.
    with pytest.raises(IntegrityError):
        Participant.objects.filter(pk=person.pk).update(city_id=aubervilliers.pk + 1000)
    # Permissions and admin history stay on the same content type, now ``programmes.city``.
    content_type = ContentType.objects.get_for_model(City)
    assert content_type.pk == content_type_id
    assert not ContentType.objects.filter(app_label="participants", model="city").exists()
    assert codenames
    assert codenames == set(
        Permission.objects.filter(content_type=content_type).values_list("codename", flat=True)
    )
    # A new city gets a fresh id after the moved ones.
    assert factories.CityFactory(insee_code="93048").pk not in (aubervilliers.pk, bondy.pk)


@pytest.mark.django_db(transaction=True)
def test_a_new_installation_is_left_alone():
    city = factories.CityFactory()
    before = tables()
    with connection.schema_editor() as editor:
        move.move_city_table(apps, editor)
    assert tables() == before
    assert City.objects.get() == city


def test_the_migration_graph_follows_the_layers():
    """programmes depends on no app of ours; participants on programmes; sessions on both;
    reports on any of them; no app's migration depends on a higher app."""
    ours = ["programmes", "participants", "training", "reports"]
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for (app, _name), node in graph.node_map.items():
        if app not in ours:
            continue
        for parent in node.parents:
            if parent.key[0] in ours:
                assert ours.index(parent.key[0]) <= ours.index(app), (node.key, parent.key)
