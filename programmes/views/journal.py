"""The programme's journal (organisers): who did what and when, as the audit trail recorded it,
filtered by kind of action and by person, a page at a time."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import forms, permissions, selectors
from ..audit import family_label, family_of
from ..audit import resolve as audit_resolve

JOURNAL_PAGE_SIZE = 50


@login_required
@require_GET
def journal(request: HttpRequest, slug: str) -> HttpResponse:
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(permissions.can_view_journal(request.user, programme))
    choices = selectors.audit_journal_choices(programme=programme)
    filters = forms.JournalFilterForm(
        request.GET or None, families=choices.families, actors=choices.actors
    )
    # A filter that names nothing in this journal is said on the form (400); the other filter
    # still applies.
    valid = filters.is_valid()
    chosen = filters.cleaned_data if filters.is_bound else {}
    family = chosen.get("kind", "")
    person = chosen.get("person", "")
    page = Paginator(
        selectors.audit_entry_list(
            programme=programme, family=family, actor_id=int(person) if person else None
        ),
        JOURNAL_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    page.object_list = audit_resolve(page.object_list, known=[programme])
    for entry in page.object_list:
        entry.family_label = family_label(family_of(entry.action))
    query = urlencode(
        {key: value for key, value in {"kind": family, "person": person}.items() if value}
    )
    return render(
        request,
        "programmes/journal.html",
        {
            "programme": programme,
            "filters": filters,
            "page": page,
            "query": query,
            "filtered": bool(query),
        },
        status=200 if valid or not filters.is_bound else 400,
    )
