"""The spending categories: shared vocabulary of the ledger (earmarks of pots), the catalogue (what a module is),
enrolment (what a booking pays for) and the schemes (what rights may pay for). An earmark is a set of categories,
stored as a bit mask (the sum of their values)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ALL_CATEGORIES", "Category", "categories_in", "earmark_of"]


class Category(models.IntegerChoices):
    """Spending categories. An earmark is a set of them, stored as a bit mask (sum of the values)."""

    STUDY = 1, _("Study")
    GENERAL_SKILLS = 2, _("General skills")
    JOB_ORIENTED = 4, _("Job-oriented training")
    LABOUR_MARKET = 8, _("Labour-market-relevant training")
    CAREER_SUPPORT = 16, _("Career support")


ALL_CATEGORIES = sum(Category.values)


def earmark_of(categories) -> int:
    return sum({int(c) for c in categories})


def categories_in(earmark: int) -> list[Category]:
    return [c for c in Category if earmark & c]
