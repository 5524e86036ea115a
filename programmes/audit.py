"""How an audit entry reads: the sentence of each action, rendered when it is shown.

An entry stores who did what to which objects (by content type and id) and a small JSON of values
(counts, codes, field names, a note typed by a user); never a person's or a city's name. The
sentence is built at display time, in the reader's language, from the objects' CURRENT names: a
person renamed or erased shows under their present name (or their erased label) in every entry.

Each app describes its own actions (``describe``) and, where an object's name reads related rows,
how to load them (``load_with``), from its ``AppConfig.ready``; ``programmes`` is the lowest app,
so higher apps register here and this module never imports them. ``resolve`` loads the objects of
a list of entries with one query per kind of object, whatever the number of entries.
"""

from collections import defaultdict
from collections.abc import Iterable
from string import Formatter

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

# action -> a lazy format string over {target}, {related} and the keys of ``data``, or a callable
# ``(entry, values) -> str`` for sentences that need more than a format string.
_SENTENCES: dict[str, object] = {}
# model -> the related rows its ``str`` reads, loaded with it.
_SELECT_RELATED: dict[type, tuple[str, ...]] = {}
# family (an action's prefix, "application" in "application.submitted") -> its lazy label, the
# kinds the programme's journal filters by.
_FAMILIES: dict[str, object] = {}


def describe(sentences: dict[str, object]) -> None:
    """Register the sentences of some actions (called from an app's ``AppConfig.ready``)."""
    _SENTENCES.update(sentences)


def name_families(families: dict[str, object]) -> None:
    """Register the labels of some families of actions (the part of an action before its dot),
    by which the programme's journal is filtered (called from an app's ``AppConfig.ready``)."""
    _FAMILIES.update(families)


def family_of(action: str) -> str:
    """The family of an action: ``application`` for ``application.submitted``."""
    return action.partition(".")[0]


def family_label(family: str) -> str:
    """The label of a family of actions in the active language (its code when unnamed)."""
    return str(_FAMILIES.get(family, family))


def load_with(model: type, *related: str) -> None:
    """Name the related rows an object's ``str`` reads, so that a list of entries naming such
    objects stays at a fixed number of queries."""
    _SELECT_RELATED[model] = related


def resolve(entries: Iterable, *, known: Iterable = ()) -> list:
    """Load the objects the entries name (targets and related objects) and attach them to the
    entries, one query per kind of object; ``known`` objects (already loaded by the caller) are
    used as they are. Returns the entries as a list. The entries should come with
    ``select_related("target_type", "related_type")``."""
    entries = list(entries)
    loaded: dict[tuple[int, int], object] = {
        (ContentType.objects.get_for_model(obj).pk, obj.pk): obj for obj in known if obj is not None
    }
    wanted: dict[object, set[int]] = defaultdict(set)
    for entry in entries:
        for role in ("target", "related"):
            content_type, object_id = _reference(entry, role)
            if (
                content_type is not None
                and object_id is not None
                and (content_type.pk, object_id) not in loaded
            ):
                wanted[content_type].add(object_id)
    for content_type, ids in wanted.items():
        model = content_type.model_class()
        if model is None:  # a model since removed: its entries fall back on their ids
            continue
        queryset = model._default_manager.filter(pk__in=ids)
        if model in _SELECT_RELATED:
            queryset = queryset.select_related(*_SELECT_RELATED[model])
        for obj in queryset:
            loaded[(content_type.pk, obj.pk)] = obj
    for entry in entries:
        entry._resolved = {
            role: loaded.get((getattr(entry, f"{role}_type_id"), getattr(entry, f"{role}_id")))
            for role in ("target", "related")
        }
    return entries


def _reference(entry, role: str):
    type_id = getattr(entry, f"{role}_type_id")
    if type_id is None:
        return None, None
    return getattr(entry, f"{role}_type"), getattr(entry, f"{role}_id")


def _name(entry, role: str) -> str:
    """The current name of an object of the entry; a deleted one goes by the label the entry
    kept (only for rows that are not about a person) or by its kind and id."""
    if role == "target" and entry.data.get("label"):
        return str(entry.data["label"])
    resolved = getattr(entry, "_resolved", None)
    if resolved is None:
        resolve([entry])
        resolved = entry._resolved
    obj = resolved.get(role)
    if obj is not None:
        return str(obj)
    content_type, object_id = _reference(entry, role)
    if content_type is None:
        return ""
    return _("%(kind)s #%(id)s (deleted)") % {"kind": content_type.name, "id": object_id}


class _Values(dict):
    """Format values: a missing key reads as nothing rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""


def render(entry) -> str:
    """The sentence of an entry, in the active language, from the objects' current names."""
    if entry.data.get("text"):
        return str(entry.data["text"])  # a line written before the trail was structured
    sentence = _SENTENCES.get(entry.action)
    values = _Values({key: value for key, value in entry.data.items() if key != "label"})
    fields = (
        set()
        if callable(sentence)
        else {name for _text, name, _spec, _conv in Formatter().parse(str(sentence or "")) if name}
    )
    if callable(sentence) or "target" in fields:
        values["target"] = _name(entry, "target")
    if callable(sentence) or "related" in fields:
        values["related"] = _name(entry, "related")
    if callable(sentence):
        return str(sentence(entry, values))
    if sentence is None:
        return _("%(action)s: %(target)s") % {
            "action": entry.action,
            "target": _name(entry, "target"),
        }
    return str(sentence).format_map(values)


def _image_labels() -> dict:
    from django.utils.translation import gettext_lazy

    return {"logo": gettext_lazy("logo"), "stamp": gettext_lazy("signature and stamp")}


def _fields(values) -> str:
    return ", ".join(str(name) for name in values.get("fields") or [])


def _with_note(sentence, note_key: str = "note"):
    """A sentence followed by the note a user typed, when there is one."""

    def display(entry, values):
        text = str(sentence).format_map(values)
        note = values.get(note_key)
        return f"{text} {note}" if note else text

    return display


def _choice_label(choices, key: str, sentence):
    """A sentence whose ``{label}`` is the label of a stored choice code, in today's language."""

    def display(entry, values):
        code = values.get(key, "")
        label = str(choices(code).label) if code in choices.values else code
        return str(sentence).format_map(_Values({**values, "label": label}))

    return display


def _role_label(value) -> str:
    from .models import Membership

    return str(Membership.Role(value).label) if value in Membership.Role.values else str(value)


def _team_role(sentence):
    def display(entry, values) -> str:
        return str(sentence).format_map(
            _Values({**values, "role": _role_label(values.get("role"))})
        )

    return display


def _team_change(entry, values) -> str:
    return _("Role of %(person)s changed: %(old)s → %(new)s.") % {
        "person": values.get("related", ""),
        "old": _role_label(values.get("from")),
        "new": _role_label(values.get("to")),
    }


def register() -> None:
    """The sentences of programmes' own actions, and how to load the objects they name."""
    from django.utils.translation import gettext_lazy, ngettext

    from .models import (
        ApplicationMessage,
        CityAccessRequest,
        CityApplication,
        Funding,
        Membership,
        Review,
        TeamInvitation,
    )

    describe(
        {
            "programme.created": gettext_lazy("Programme created: {target}."),
            "followup.action_item_created": gettext_lazy(
                "Commitment of {related} added: {target}."
            ),
            "followup.action_item_updated": gettext_lazy(
                "Commitment of {related} changed: {target}."
            ),
            "followup.milestone_recorded": gettext_lazy(
                "Citizens' council of {related}: “{target}” recorded."
            ),
            "followup.milestone_updated": gettext_lazy(
                "Citizens' council of {related}: “{target}” changed."
            ),
            "followup.reminded": gettext_lazy("{related} reminded to update its follow-up."),
            "programme.updated": lambda entry, values: (
                _("Programme changed: %(fields)s.") % {"fields": _fields(values)}
            ),
            "funding.created": gettext_lazy("Funding line added: {target}."),
            "funding.updated": gettext_lazy("Funding line changed: {target}."),
            "funding.deleted": gettext_lazy("Funding line deleted: {target}."),
            "budgetline.created": gettext_lazy("Budget line added: {target}."),
            "budgetline.updated": gettext_lazy("Budget line changed: {target}."),
            "budgetline.deleted": gettext_lazy("Budget line deleted: {target}."),
            "organisation.images_changed": lambda entry, values: (
                _("Images of %(organisation)s changed: %(images)s.")
                % {
                    "organisation": values["target"],
                    "images": ", ".join(
                        str(_image_labels().get(name, name)) for name in values.get("images") or []
                    ),
                }
            ),
            "call.created": gettext_lazy("Call for applications created: {target}."),
            "call.updated": gettext_lazy("Call for applications changed: {target}."),
            "call.published": gettext_lazy("Call for applications published: {target}."),
            "call.invitation_sent": gettext_lazy("Invitation to apply sent."),
            "application.started": gettext_lazy("Application of {related} started."),
            "application.saved": gettext_lazy("Application of {related} saved."),
            "application.submitted": gettext_lazy("Application of {related} submitted."),
            "application.withdrawn": _with_note(
                gettext_lazy("Application of {related} withdrawn.")
            ),
            "application.information_requested": _with_note(
                gettext_lazy("More information requested from {related}.")
            ),
            "application.reviewers_assigned": lambda entry, values: (
                ngettext(
                    "%(count)d reviewer assigned to %(city)s.",
                    "%(count)d reviewers assigned to %(city)s.",
                    len(values.get("reviewers") or []),
                )
                % {"count": len(values.get("reviewers") or []), "city": values["related"]}
            ),
            "review.submitted": _choice_label(
                Review.Recommendation,
                "recommendation",
                gettext_lazy("Review of {related}: {label}."),
            ),
            "review.updated": _choice_label(
                Review.Recommendation,
                "recommendation",
                gettext_lazy("Review of {related} changed: {label}."),
            ),
            "application.decided": _choice_label(
                CityApplication.Status, "decision", gettext_lazy("Decision on {related}: {label}.")
            ),
            "selection.closed": gettext_lazy("Selection closed: {count} decisions sent."),
            "application.promoted": gettext_lazy(
                "{related} given a free place from the waiting list."
            ),
            "programme.closed": gettext_lazy("Programme closed: {target}."),
            "application.message_posted": _choice_label(
                ApplicationMessage.Side,
                "side",
                gettext_lazy("Message in the thread of {related}, from {label}."),
            ),
            "outbox.resent": gettext_lazy("E-mail sent again: {target}."),
            "notifications.chosen": gettext_lazy("Notification choice changed ({choice})."),
            "team.invitation_sent": _team_role(
                gettext_lazy("Invitation to join the team sent ({role}).")
            ),
            "team.invitation_resent": _team_role(
                gettext_lazy("Invitation to join the team sent again ({role}).")
            ),
            "team.invitation_revoked": _team_role(
                gettext_lazy("Invitation to join the team revoked ({role}).")
            ),
            "team.invitation_accepted": _team_role(
                gettext_lazy("Invitation accepted: {target} joins the team ({role}).")
            ),
            "team.role_changed": _team_change,
            "team.member_removed": _team_role(
                gettext_lazy("{related} is no longer in the team ({role}).")
            ),
            "account.updated": lambda entry, values: (
                _("Account changed: %(fields)s.") % {"fields": _fields(values)}
            ),
            "access_request.created": gettext_lazy("Request to apply for {target} received."),
            "access_request.confirmed": gettext_lazy("Request to apply for {target} confirmed."),
            "access_request.refused": gettext_lazy("Request to apply for {target} refused."),
            "application.contact_handed_over": gettext_lazy(
                "Application of {related} handed to another contact."
            ),
        }
    )
    name_families(
        {
            "programme": gettext_lazy("Programme"),
            "funding": gettext_lazy("Funding"),
            "budgetline": gettext_lazy("Budget"),
            "call": gettext_lazy("Call for applications"),
            "application": gettext_lazy("Applications"),
            "access_request": gettext_lazy("Requests to apply"),
            "review": gettext_lazy("Reviews"),
            "selection": gettext_lazy("Selection"),
            "outbox": gettext_lazy("E-mails"),
            "notifications": gettext_lazy("Notifications"),
            "team": gettext_lazy("Team"),
            "account": gettext_lazy("Accounts"),
        }
    )
    load_with(CityApplication, "city", "call")
    load_with(Funding, "funder", "programme")
    load_with(CityAccessRequest, "city")
    load_with(Membership, "user", "programme")
    load_with(TeamInvitation, "programme")
    load_with(Review, "reviewer", "application__city", "application__call")
