"""On PostgreSQL the statements every page sends are prepared on the server once they have been
seen a few times on a connection (``DJANGO_DB_PREPARE_THRESHOLD``): their parsing and planning
are not redone on each request."""

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares them"),
]


def test_a_page_shown_again_is_answered_by_statements_prepared_on_the_server(
    client, programme, organiser
):
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if threshold is None:
        pytest.skip("DJANGO_DB_PREPARE_THRESHOLD=off: nothing is prepared")
    client.force_login(organiser)
    url = reverse("programme_overview", args=[programme.slug])
    for _ in range(threshold + 2):
        assert client.get(url).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [statement for (statement,) in cursor.fetchall()]
    # What every signed-in page reads first (the session, the user, the user's roles), and the
    # page's own ORM queries (the money totals): the same text on every request, values apart.
    for table in ["django_session", "auth_user", "programmes_membership", "programmes_funding"]:
        assert any(f'"{table}"' in statement for statement in prepared), table
