"""Reads for participants: counts by category, computed in the database."""

from dataclasses import dataclass

from django.db.models import Count

from .models import Category, Participant


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    count: int


def participant_counts_by_category(*, programme) -> list[CategoryCount]:
    """Active participants of a programme per category, in the categories' order (one query)."""
    rows = dict(
        Participant.objects.for_programme(programme)
        .filter(is_active=True)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return [
        CategoryCount(value, str(label), rows.get(value, 0)) for value, label in Category.choices
    ]
