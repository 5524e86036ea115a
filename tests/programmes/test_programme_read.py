"""Every page of a programme starts by reading the programme, its organiser and the user's roles
in it with statements put together once per process: they must give what the ORM gives."""

import pytest
from django.http import Http404

from programmes.models import Call, Membership, Organisation, Programme
from programmes.permissions import programme_get_for_user, programme_roles
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role


def same_fields(read, stored):
    for field in stored._meta.concrete_fields:
        got, expected = getattr(read, field.attname), getattr(stored, field.attname)
        assert (got, type(got)) == (expected, type(expected)), field.name


def test_the_programme_and_its_organiser_are_read_as_the_orm_reads_them(
    member, django_assert_num_queries
):
    organiser = factories.OrganisationFactory(name="Centre Pierrelaye", website="https://a.fr")
    programme = factories.ProgrammeFactory(
        organiser=organiser, summary="Une ligne", results_public=True
    )
    user = member(programme, Role.FUNDER)
    factories.MembershipFactory(programme=programme, user=user, role=Role.REVIEWER)
    factories.MembershipFactory(user=user, role=Role.ORGANISER)  # another programme
    with django_assert_num_queries(1):  # the programme with its organiser and the roles
        read = programme_get_for_user(user, programme.slug)
        assert programme_roles(user, read) == {Role.FUNDER, Role.REVIEWER}
        with django_assert_num_queries(0):
            assert read.organiser.name == "Centre Pierrelaye"
    same_fields(read, Programme.objects.get(pk=programme.pk))
    same_fields(read.organiser, Organisation.objects.get(pk=organiser.pk))
    assert not read._state.adding


def test_a_programme_without_organiser_or_not_the_users_is_not_read(member):
    programme = factories.ProgrammeFactory(organiser=None)
    user = member(programme, Role.FACILITATOR)
    assert programme_get_for_user(user, programme.slug).organiser is None
    other = factories.ProgrammeFactory()
    with pytest.raises(Http404):
        programme_get_for_user(user, other.slug)
    with pytest.raises(Http404):
        programme_get_for_user(user, "no-such-programme")


def test_the_overview_reads_the_call_with_the_programme_or_knows_there_is_none(
    member, django_assert_num_queries
):
    call = factories.CallFactory(places=9)
    user = member(call.programme, Role.ORGANISER)
    with django_assert_num_queries(1):  # the programme, its organiser and call, the roles
        read = programme_get_for_user(user, call.programme.slug, related=("call",))
        assert read.call.programme is read
    same_fields(read.call, Call.objects.get(pk=call.pk))

    without = factories.ProgrammeFactory()
    user = member(without, Role.ORGANISER)
    with django_assert_num_queries(1):
        read = programme_get_for_user(user, without.slug, related=("call",))
        assert not hasattr(read, "call")
