"""The research export for a partner laboratory: a ZIP of CSV files, a data dictionary and the
programme's description.

Nobody is named: people and cities get pseudonymous ids drawn at random for each export
(stable within one export, meaningless outside it, never derived from database ids), so two
exports cannot be joined to each other nor to the app. Evaluation answers of an anonymous
questionnaire carry no person id at all, and come in random order.

Each CSV file is one entry of ``FILES``: its name, its columns with their meaning, and the
function that writes its rows.
"""

import csv
import io
import random
import secrets
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from participants.models import EvaluationResponse, Participant, Question
from programmes.models import CityApplication, CouncilMilestone
from sessions.models import Attendance, AttendanceStatus, Slot

from .exports import safe_text


class Pseudonyms:
    """Random ids per kind of thing, drawn on first use and kept for the whole export."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, int], str] = {}
        self._used: set[str] = set()

    def get(self, prefix: str, key) -> str:
        if key is None:
            return ""
        if (prefix, key) not in self._ids:
            while True:
                value = f"{prefix}-{secrets.token_hex(4)}"
                if value not in self._used:
                    break
            self._used.add(value)
            self._ids[(prefix, key)] = value
        return self._ids[(prefix, key)]


@dataclass(frozen=True)
class Column:
    name: str
    meaning: object  # a lazy translation: the dictionary is written in the run's language


@dataclass(frozen=True)
class ResearchFile:
    name: str
    description: object
    columns: list[Column]
    rows: Callable[..., Iterable[list]]


def participation_rows(*, programme, pseudonyms: Pseudonyms) -> Iterable[list]:
    """One line per trainee and half-day recorded (one query, read in chunks)."""
    records = (
        Attendance.objects.filter(slot__day__programme=programme)
        .select_related("slot__day", "participant")
        .order_by("slot__day__date", "slot__starts_at", "id")
    )
    for record in records.iterator(chunk_size=2000):
        person = record.participant
        yield [
            pseudonyms.get("P", person.pk),
            person.category,
            pseudonyms.get("C", person.city_id),
            record.slot.day.date.isoformat(),
            record.slot.part,
            record.status,
        ]


def evaluation_rows(*, programme, pseudonyms: Pseudonyms) -> Iterable[list]:
    """One line per answer to a question (two queries). Responses get a random id and come in
    random order; a person id only for a questionnaire that is not anonymous."""
    questions = {
        str(q.pk): q
        for q in Question.objects.filter(questionnaire__programme=programme).select_related(
            "questionnaire"
        )
    }
    responses = list(
        EvaluationResponse.objects.filter(round__questionnaire__programme=programme)
        .select_related("round__questionnaire")
        .order_by("pk")
    )
    random.SystemRandom().shuffle(responses)
    for response in responses:
        response_id = pseudonyms.get("R", response.pk)
        round_ = response.round
        for key, value in sorted(
            response.answers.items(),
            key=lambda item: (
                (questions[item[0]].position, item[0]) if item[0] in questions else (0, item[0])
            ),
        ):
            question = questions.get(key)
            if question is None:
                continue
            yield [
                response_id,
                pseudonyms.get("P", response.participant_id),
                pseudonyms.get("Q", round_.questionnaire_id),
                round_.moment,
                round_.date.isoformat() if round_.date else "",
                response.category,
                question.position,
                safe_text(question.text),
                question.kind,
                safe_text(str(value)),
            ]


def milestone_rows(*, programme, pseudonyms: Pseudonyms) -> Iterable[list]:
    """One line per step a selected city's citizens' council reached, with its date: no note
    and no document, which may name people (one query)."""
    milestones = CouncilMilestone.objects.filter(
        application__call__programme=programme,
        application__status=CityApplication.Status.SELECTED,
    ).order_by("date", "id")
    for milestone in milestones.select_related("application"):
        yield [
            pseudonyms.get("C", milestone.application.city_id),
            milestone.kind,
            milestone.date.isoformat(),
        ]


FILES = [
    ResearchFile(
        name="participation.csv",
        description=gettext_lazy("Attendance of each trainee at each half-day."),
        columns=[
            Column("person", gettext_lazy("Pseudonymous id of the person (this export only).")),
            Column("category", gettext_lazy("Category of the person (see the codes below).")),
            Column("city", gettext_lazy("Pseudonymous id of the city (this export only).")),
            Column("date", gettext_lazy("Date of the half-day (YYYY-MM-DD).")),
            Column("half_day", gettext_lazy("morning or afternoon.")),
            Column("status", gettext_lazy("Attendance status (see the codes below).")),
        ],
        rows=participation_rows,
    ),
    ResearchFile(
        name="evaluation_answers.csv",
        description=gettext_lazy(
            "Each answer to the evaluation questionnaires, one line per question answered."
        ),
        columns=[
            Column("response", gettext_lazy("Random id of one person's answers to one moment.")),
            Column(
                "person",
                gettext_lazy(
                    "Pseudonymous id of the person; empty when the answers are anonymous."
                ),
            ),
            Column("questionnaire", gettext_lazy("Pseudonymous id of the questionnaire.")),
            Column("moment", gettext_lazy("before, end (of the training) or later.")),
            Column("moment_date", gettext_lazy("Date of the moment, when set.")),
            Column("category", gettext_lazy("Category of the person who answered.")),
            Column("question_number", gettext_lazy("Position of the question.")),
            Column("question", gettext_lazy("Text of the question.")),
            Column("kind", gettext_lazy("scale (1 to 5), choice or text.")),
            Column(
                "answer",
                gettext_lazy("The answer: 1 to 5 for a scale, the choice, or the text written."),
            ),
        ],
        rows=evaluation_rows,
    ),
    ResearchFile(
        name="council_milestones.csv",
        description=gettext_lazy(
            "The steps each selected city's citizens' council reached after the training."
        ),
        columns=[
            Column(
                "city",
                gettext_lazy("Pseudonymous id of the city, the same as in participation.csv."),
            ),
            Column("milestone", gettext_lazy("The step reached (see the codes below).")),
            Column("date", gettext_lazy("Date the step was reached (YYYY-MM-DD).")),
        ],
        rows=milestone_rows,
    ),
]


def _csv(columns: list[Column], rows: Iterable[list]) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.name for column in columns])
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def research_zip(*, programme) -> tuple[bytes, dict[str, int]]:
    """The export's ZIP (in the active language for the dictionary and the description) and
    the number of lines of each file. Read-only."""
    pseudonyms = Pseudonyms()
    buffer = io.BytesIO()
    source = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for research_file in FILES:
            content, count = _csv(
                research_file.columns,
                research_file.rows(programme=programme, pseudonyms=pseudonyms),
            )
            archive.writestr(research_file.name, content)
            source[research_file.name.removesuffix(".csv")] = count
        context = {
            "programme": programme,
            "files": FILES,
            "categories": Participant.Category.choices,
            "statuses": AttendanceStatus.choices,
            "parts": Slot.Part.choices,
            "milestones": CouncilMilestone.Kind.choices,
            "generated_at": timezone.localtime(),
            "cities": Participant.objects.filter(programme=programme, city__isnull=False)
            .values("city_id")
            .distinct()
            .count(),
        }
        archive.writestr(
            "data_dictionary.md", render_to_string("reports/research/dictionary.txt", context)
        )
        archive.writestr(
            "programme.md", render_to_string("reports/research/programme.txt", context)
        )
    return buffer.getvalue(), source
