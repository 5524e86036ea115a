"""Pages of the evaluation: the questionnaires, their sending, the answers (by personal link or
typed in from paper) and the results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programmes.permissions import programme_get_for_user, require
from programmes.views.common import base_url

from . import permissions, selectors, services
from .forms import AnswerForm, QuestionForm, QuestionnaireForm, RoundDateForm
from .models import EvaluationInvitation, EvaluationRound, Moment, Question, Questionnaire


def _questionnaire(request: HttpRequest, slug: str, questionnaire_id: int, allowed):
    programme = programme_get_for_user(request.user, slug)
    require(allowed(request.user, programme))
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id, programme=programme)
    return programme, questionnaire


@login_required
@require_GET
def evaluation(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's questionnaires, with what each role may do with them."""
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_open_evaluation(request.user, programme))
    return render(
        request,
        "participants/evaluation.html",
        {
            "programme": programme,
            "questionnaires": list(Questionnaire.objects.filter(programme=programme)),
            "can_manage": permissions.can_manage_evaluation(request.user, programme),
            "can_enter": permissions.can_enter_paper_answers(request.user, programme),
            "can_view_results": permissions.can_view_evaluation_results(request.user, programme),
        },
    )


@login_required
@require_POST
def evaluation_create_default(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_manage_evaluation(request.user, programme))
    questionnaire = services.questionnaire_create_default(programme=programme, user=request.user)
    messages.success(request, _("The default questionnaire is ready: check its dates."))
    return redirect("participants:questionnaire", slug, questionnaire.pk)


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_create(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_manage_evaluation(request.user, programme))
    form = QuestionnaireForm(request.POST or None, instance=Questionnaire(programme=programme))
    if request.method == "POST" and form.is_valid():
        saved = services.questionnaire_save(
            questionnaire=form.save(commit=False), user=request.user
        )
        return redirect("participants:questionnaire", slug, saved.pk)
    return render(
        request,
        "participants/form.html",
        {
            "programme": programme,
            "form": form,
            "title": _("New questionnaire"),
            "cancel_url": reverse("participants:evaluation", args=[slug]),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, slug: str, questionnaire_id: int) -> HttpResponse:
    """A questionnaire: its questions (organisers add and remove them until someone answered),
    its rounds (dates, sending, reminders) and who has not answered each one. Facilitators see
    the rounds to type in the answers given on paper."""
    programme, item = _questionnaire(
        request, slug, questionnaire_id, permissions.can_enter_paper_answers
    )
    can_manage = permissions.can_manage_evaluation(request.user, programme)
    settings_form = QuestionnaireForm(instance=item, prefix="settings")
    question_form = QuestionForm(prefix="question")
    status = 200
    if request.method == "POST":
        require(can_manage)
        if "question-text" in request.POST:
            question_form = QuestionForm(
                request.POST, instance=Question(questionnaire=item), prefix="question"
            )
            if question_form.is_valid():
                services.question_add(question=question_form.save(commit=False), user=request.user)
                messages.success(request, _("Question added."))
                return redirect("participants:questionnaire", slug, item.pk)
        else:
            settings_form = QuestionnaireForm(request.POST, instance=item, prefix="settings")
            if settings_form.is_valid():
                services.questionnaire_save(
                    questionnaire=settings_form.save(commit=False), user=request.user
                )
                messages.success(request, _("Saved."))
                return redirect("participants:questionnaire", slug, item.pk)
        status = 400
    rounds = selectors.questionnaire_rounds(questionnaire=item)
    return render(
        request,
        "participants/questionnaire.html",
        {
            "programme": programme,
            "questionnaire": item,
            "questions": list(item.questions.all()),
            "rounds": [
                (
                    progress,
                    RoundDateForm(
                        initial={"date": progress.round.date}, prefix=f"r{progress.round.pk}"
                    ),
                )
                for progress in rounds
            ],
            "can_manage": can_manage,
            "has_answers": any(progress.answered for progress in rounds),
            "settings_form": settings_form,
            "question_form": question_form,
        },
        status=status,
    )


def _managed(request: HttpRequest, slug: str, model, pk: int):
    """A question or a round of the programme's questionnaires, for an organiser; else 404."""
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_manage_evaluation(request.user, programme))
    return get_object_or_404(
        model.objects.select_related("questionnaire__programme"),
        pk=pk,
        questionnaire__programme=programme,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    question = _managed(request, slug, Question, question_id)
    services.question_delete(question=question, user=request.user)
    messages.success(request, _("Question removed."))
    return redirect("participants:questionnaire", slug, question.questionnaire_id)


@login_required
@require_POST
def round_update(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    """A round's date, its sending to everyone, or a reminder to those who have not answered."""
    item = _managed(request, slug, EvaluationRound, round_id)
    action = request.POST.get("action")
    if action == "send":
        sending = services.round_send(round=item, user=request.user, base_url=base_url(request))
        messages.success(
            request,
            _(
                "%(invited)d people invited: %(emailed)d by e-mail, %(paper)d on paper "
                "(no e-mail address)."
            )
            % {"invited": sending.invited, "emailed": sending.emailed, "paper": sending.on_paper},
        )
    elif action == "remind":
        sending = services.round_remind(round=item, user=request.user, base_url=base_url(request))
        messages.success(
            request,
            _("Reminder sent by e-mail to %(emailed)d people; %(paper)d have no e-mail address.")
            % {"emailed": sending.emailed, "paper": sending.on_paper},
        )
    else:
        form = RoundDateForm(request.POST, prefix=f"r{item.pk}")
        if not form.is_valid():
            messages.error(request, _("This date is not valid: nothing was changed."))
            return redirect("participants:questionnaire", slug, item.questionnaire_id)
        services.round_date_set(round=item, date=form.cleaned_data["date"], user=request.user)
        messages.success(request, _("Date saved."))
    return redirect("participants:questionnaire", slug, item.questionnaire_id)


@login_required
@require_GET
def questionnaire_print(request: HttpRequest, slug: str, questionnaire_id: int) -> HttpResponse:
    """The questionnaire on paper, for those who prefer to answer with a pen."""
    programme, item = _questionnaire(
        request, slug, questionnaire_id, permissions.can_enter_paper_answers
    )
    return render(
        request,
        "participants/questionnaire_print.html",
        {
            "programme": programme,
            "questionnaire": item,
            "questions": list(item.questions.all()),
            "moments": Moment.choices,
            "scale": range(1, 6),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    """A facilitator types in the answers a person gave on paper."""
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_enter_paper_answers(request.user, programme))
    invitation = get_object_or_404(
        EvaluationInvitation.objects.select_related("round__questionnaire", "participant"),
        pk=invitation_id,
        round__questionnaire__programme=programme,
    )
    item = invitation.round.questionnaire
    if invitation.answered:
        messages.info(request, _("This person has already answered."))
        return redirect("participants:questionnaire", slug, item.pk)
    form = AnswerForm(request.POST or None, questions=item.questions.all())
    if request.method == "POST" and form.is_valid():
        services.response_submit(
            invitation=invitation, answers=form.answers(), entered_by=request.user
        )
        messages.success(request, _("Answers saved."))
        return redirect("participants:questionnaire", slug, item.pk)
    return render(
        request,
        "participants/evaluation_answer.html",
        {
            "programme": programme,
            "questionnaire": item,
            "round": invitation.round,
            "form": form,
            "person": invitation.participant,
            "paper": True,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def evaluation_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The page a participant opens from their personal link: no account needed."""
    invitation = services.evaluation_invitation_get_by_token(token)
    if invitation is None:
        return render(request, "participants/evaluation_closed.html", {"unknown": True}, status=404)
    item = invitation.round.questionnaire
    if invitation.answered:
        return render(request, "participants/evaluation_closed.html", {"thanks": False})
    form = AnswerForm(request.POST or None, questions=item.questions.all())
    if request.method == "POST" and form.is_valid():
        services.response_submit(invitation=invitation, answers=form.answers())
        return render(request, "participants/evaluation_closed.html", {"thanks": True})
    return render(
        request,
        "participants/evaluation_answer.html",
        {
            "programme": item.programme,
            "questionnaire": item,
            "round": invitation.round,
            "form": form,
            "paper": False,
        },
        status=400 if request.method == "POST" else 200,
    )
