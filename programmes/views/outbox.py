"""The programme's e-mails (organisers): what was sent to whom and when, what failed and why,
and a way to send one again; and each member's choice of notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import forms, permissions, selectors
from ..errors import DomainError
from ..models import OutboxMessage
from ..services import notifications, outbox

MESSAGES_PAGE_SIZE = 50


@login_required
def message_list(request: HttpRequest, slug: str) -> HttpResponse:
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(permissions.can_view_messages(request.user, programme))
    filters = forms.MessageFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(
        selectors.outbox_message_list(programme=programme, status=status), MESSAGES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/message_list.html",
        {
            "programme": programme,
            "page": page,
            "filters": filters,
            "query": f"status={status}" if status else "",
        },
    )


@login_required
@require_POST
def message_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = permissions.programme_get_for_user(request.user, slug)
    message = OutboxMessage.objects.filter(programme=programme, pk=pk).first()
    if message is None or not permissions.can_resend_message(request.user, message):
        raise Http404
    try:
        outbox.outbox_resend(actor=request.user, message=message)
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("A copy is queued for %(recipient)s.") % {"recipient": message.recipient}
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("programmes:message_list", programme.slug)


@login_required
def notification_preferences(request: HttpRequest, slug: str) -> HttpResponse:
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(permissions.can_choose_notifications(request.user, programme))
    current = selectors.notification_choice_get(user=request.user, programme=programme)
    form = forms.NotificationChoiceForm(request.POST or None, initial={"choice": current})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            notifications.notification_preference_set(
                user=request.user, programme=programme, choice=form.cleaned_data["choice"]
            )
            messages.success(request, _("Your choice is saved."))
            return redirect("programmes:notification_preferences", programme.slug)
        status = 400
    return render(
        request,
        "programmes/notification_preferences.html",
        {"programme": programme, "form": form},
        status=status,
    )
