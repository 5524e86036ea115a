"""Writes for programmes: set-up, funding and budget, the call, city applications, reviews and
the selection.

Every service is keyword-only and atomic, validates what it is given (raising an error of the
``programmes.errors`` family: a code, a message a person can read, an HTTP meaning), writes an
``AuditEntry``, records each change of an application's status as an ``ApplicationEvent`` along
``models.APPLICATION_TRANSITIONS``, and sends e-mails only once the change commits.

One module per area; this package re-exports the services so that callers write
``programmes.services.application_submit`` (and other apps ``programmes.services.audit``).
"""

from .access import (
    access_request_confirm,
    access_request_create,
    access_request_refuse,
    access_request_sign_up,
    application_contact_hand_over,
)
from .applications import (
    account_exists,
    application_message_post,
    application_save,
    application_start,
    application_submit,
    application_withdraw,
    city_contact_sign_up,
    city_get_or_create,
    sign_up_read,
    sign_up_request,
    triad_duplicates,
)
from .common import audit
from .followup import action_item_save, council_milestone_save, followup_remind
from .review import (
    application_decide,
    application_promote,
    application_request_information,
    review_submit,
    reviewers_assign,
    selection_close,
)
from .setup import (
    RESERVED_SLUGS,
    budget_line_save,
    call_publish,
    call_save,
    contribution_update,
    finance_row_delete,
    funding_save,
    invitation_send,
    organisation_images_save,
    programme_close,
    programme_create,
    programme_update,
)
from .team import (
    account_for_email,
    account_update,
    membership_remove,
    membership_role_change,
    team_account_create,
    team_invitation_accept,
    team_invitation_create,
    team_invitation_get_by_token,
    team_invitation_resend,
    team_invitation_revoke,
)

__all__ = [
    "action_item_save",
    "council_milestone_save",
    "followup_remind",
    "organisation_images_save",
    "access_request_confirm",
    "access_request_create",
    "access_request_refuse",
    "access_request_sign_up",
    "application_contact_hand_over",
    "RESERVED_SLUGS",
    "account_exists",
    "account_for_email",
    "account_update",
    "membership_remove",
    "membership_role_change",
    "team_account_create",
    "team_invitation_accept",
    "team_invitation_create",
    "team_invitation_get_by_token",
    "team_invitation_resend",
    "team_invitation_revoke",
    "application_decide",
    "application_promote",
    "programme_close",
    "application_request_information",
    "application_message_post",
    "application_save",
    "application_start",
    "application_submit",
    "application_withdraw",
    "audit",
    "budget_line_save",
    "call_publish",
    "call_save",
    "city_contact_sign_up",
    "city_get_or_create",
    "contribution_update",
    "finance_row_delete",
    "funding_save",
    "invitation_send",
    "programme_create",
    "programme_update",
    "reviewers_assign",
    "review_submit",
    "selection_close",
    "sign_up_read",
    "sign_up_request",
    "triad_duplicates",
]
