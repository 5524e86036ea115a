"""Forms of programme set-up, the call, city applications, reviews and decisions.

Forms validate what a person typed and say plainly what is wrong; services do the writing.
One module per area; this package re-exports the forms the views use.
"""

from .application import (
    ApplicationForm,
    CityChoiceForm,
    CityContactSignUpForm,
    SignUpPasswordForm,
    ThreadMessageForm,
    TriadForms,
    TriadMemberForm,
    WithdrawForm,
    validate_pdf,
)
from .followup import ActionItemForm, MilestoneForm
from .notifications import JournalFilterForm, MessageFilterForm, NotificationChoiceForm
from .review import (
    AccessRequestAnswerForm,
    ApplicationFilterForm,
    AssignReviewersForm,
    CloseSelectionForm,
    DecisionForm,
    RequestInformationForm,
    ReviewForm,
)
from .setup import (
    SUGGESTED_CRITERIA,
    BudgetLineForm,
    CallForm,
    ContributionForm,
    CriterionFormSet,
    FundingForm,
    InvitationForm,
    OrganisationImagesForm,
    ProgrammeForm,
    criteria_rows,
)
from .team import AccountForm, MemberRoleForm, TeamInviteForm, TeamSignUpForm

__all__ = [
    "ActionItemForm",
    "MilestoneForm",
    "OrganisationImagesForm",
    "AccountForm",
    "MemberRoleForm",
    "TeamInviteForm",
    "TeamSignUpForm",
    "SUGGESTED_CRITERIA",
    "SignUpPasswordForm",
    "AccessRequestAnswerForm",
    "ApplicationFilterForm",
    "ApplicationForm",
    "JournalFilterForm",
    "MessageFilterForm",
    "NotificationChoiceForm",
    "AssignReviewersForm",
    "BudgetLineForm",
    "CallForm",
    "CityChoiceForm",
    "CityContactSignUpForm",
    "CloseSelectionForm",
    "ContributionForm",
    "CriterionFormSet",
    "DecisionForm",
    "FundingForm",
    "InvitationForm",
    "ProgrammeForm",
    "RequestInformationForm",
    "ReviewForm",
    "TriadForms",
    "TriadMemberForm",
    "WithdrawForm",
    "criteria_rows",
    "ThreadMessageForm",
    "validate_pdf",
]
