"""Pages of the people of a programme and of its peer groups."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programmes.addresses import row_pattern, row_url
from programmes.permissions import programme_get_for_user, require

from . import permissions, services
from .forms import CompositionForm, ParticipantForm, PeerGroupForm
from .models import TRIAD_CATEGORIES, Category, Participant, PeerGroup
from .selectors import (
    participant_list,
    participant_list_figures,
    participant_list_position,
    peer_group_board,
)

# People per page of the list: a page of 50 renders in a few milliseconds, however many
# people the programme has.
LIST_PAGE_SIZE = 50


@dataclass
class ListSection:
    """The people of one category on a page of the list; ``count`` is the category's
    whole number, also when the category runs over several pages."""

    category: str
    label: str
    count: int
    people: list = field(default_factory=list)


@login_required
@require_GET
def participant_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_view_participants(request.user, programme))
    figures = participant_list_figures(programme=programme)
    counts = figures.counts
    paginator = Paginator(participant_list(programme=programme), LIST_PAGE_SIZE)
    paginator.count = sum(counts.values())  # known already: no COUNT query
    page = paginator.get_page(request.GET.get("page"))
    can_manage = permissions.can_manage_participants(request.user, programme)
    # One reverse() for the page, not one per person.
    edit_url = row_pattern("participants:participant_edit", slug)
    labels = dict(Category.choices)
    sections: list[ListSection] = []
    for person in page.object_list:
        category = person["category"]
        if not sections or sections[-1].category != category:
            label = str(labels.get(category, category))
            sections.append(ListSection(category, label, counts.get(category, 0)))
        if can_manage:
            person["edit_url"] = row_url(edit_url, person["pk"])
        sections[-1].people.append(person)
    return render(
        request,
        "participants/participant_list.html",
        {
            "programme": programme,
            "page": page,
            "sections": sections,
            "cities": figures.cities,
            "triad_labels": [Category(value).label for value in TRIAD_CATEGORIES],
            "can_manage": can_manage,
            "show_contacts": permissions.can_view_contact_details(request.user, programme),
        },
    )


def participant_list_url(*, programme, participant_id: int | None = None) -> str:
    """The list, at the page where the person is and scrolled to their line."""
    url = reverse("participants:participant_list", args=[programme.slug])
    if participant_id is None:
        return url
    position = participant_list_position(programme=programme, participant_id=participant_id)
    if position and position >= LIST_PAGE_SIZE:
        url += f"?page={position // LIST_PAGE_SIZE + 1}"
    return f"{url}#p-{participant_id}"


def _managed_programme(request: HttpRequest, slug: str):
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_manage_participants(request.user, programme))
    return programme


@login_required
@require_http_methods(["GET", "POST"])
def participant_form(
    request: HttpRequest, slug: str, participant_id: int | None = None
) -> HttpResponse:
    programme = _managed_programme(request, slug)
    participant = (
        get_object_or_404(Participant, pk=participant_id, programme=programme)
        if participant_id
        else Participant(programme=programme, category=request.GET.get("category", ""))
    )
    context = {
        "programme": programme,
        "participant": participant if participant.pk else None,
        "cancel_url": participant_list_url(programme=programme, participant_id=participant.pk),
        "can_export": permissions.can_export_personal_data(request.user, programme),
        "can_erase": permissions.can_erase_personal_data(request.user, programme),
        "title": _("Edit %s") % participant.full_name if participant.pk else _("Add a participant"),
    }
    if participant.erased_at is not None:
        # Nothing personal is left to edit; an edit would write personal data back.
        if request.method == "POST":
            messages.error(request, _("This person's data were erased: nothing was changed."))
        context["title"] = participant.full_name
        return render(
            request,
            "participants/form.html",
            context,
            status=409 if request.method == "POST" else 200,
        )
    form = ParticipantForm(request.POST or None, instance=participant, programme=programme)
    if request.method == "POST" and form.is_valid():
        saved = services.participant_save(
            participant=form.save(commit=False), user=request.user, changed=form.changed_data
        )
        messages.success(request, _("Saved: %s.") % saved.full_name)
        return redirect(participant_list_url(programme=programme, participant_id=saved.pk))
    return render(
        request,
        "participants/form.html",
        context | {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def peer_groups(request: HttpRequest, slug: str) -> HttpResponse:
    """The peer groups with their warnings; a POST saves the composition (one select per
    person) made by an organiser."""
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_view_participants(request.user, programme))
    can_manage = permissions.can_manage_participants(request.user, programme)
    if request.method == "POST":
        require(can_manage)
    board = peer_group_board(programme=programme)
    form = CompositionForm(
        request.POST if request.method == "POST" else None,
        people=board.people,
        groups=[card.group for card in board.groups],
    )
    if request.method == "POST" and form.is_valid():
        moved = services.peer_group_assign(
            programme=programme, assignments=form.assignments(), user=request.user
        )
        message = _("Peer groups saved: %(count)d people moved.") % {"count": moved}
        messages.success(request, message)
        return redirect("participants:peer_groups", slug)
    return render(
        request,
        "participants/peer_groups.html",
        {
            "programme": programme,
            "board": board,
            "form": form,
            "can_manage": can_manage,
            "knowledge_labels": dict(PeerGroup.Knowledge.choices),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def peer_group_proposal(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _managed_programme(request, slug)
    moved = services.peer_group_apply_proposal(programme=programme, user=request.user)
    message = _("Proposal applied: %(count)d people placed by kind of knowledge.")
    messages.success(request, message % {"count": moved})
    return redirect("participants:peer_groups", slug)


@login_required
@require_http_methods(["GET", "POST"])
def peer_group_form(request: HttpRequest, slug: str, group_id: int | None = None) -> HttpResponse:
    programme = _managed_programme(request, slug)
    group = (
        get_object_or_404(PeerGroup, pk=group_id, programme=programme)
        if group_id
        else PeerGroup(programme=programme)
    )
    form = PeerGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        saved = services.peer_group_save(group=form.save(commit=False), user=request.user)
        messages.success(request, _("Saved: %s.") % saved)
        return redirect("participants:peer_groups", slug)
    return render(
        request,
        "participants/form.html",
        {
            "programme": programme,
            "form": form,
            "cancel_url": reverse("participants:peer_groups", args=[slug]),
            "title": _("Edit the group %s") % group if group.pk else _("Add a peer group"),
        },
        status=400 if request.method == "POST" else 200,
    )
