"""Labels of choice fields, read without Django's per-call dictionary.

Django's `get_<field>_display()` builds a dictionary of all choices on every call, hashing each lazy label, and
so translates every label of the field to show one (the search page asked 25 times per page, ~300 translations).
`QuickChoiceLabels` looks the value up in the field's choices and translates only the label it returns: the same
result, for every model that lists it first among its bases.
"""

from django.utils.encoding import force_str

__all__ = ["QuickChoiceLabels"]


class QuickChoiceLabels:
    """Mixin for a model: `get_<field>_display()` for every field with choices, without hashing every label."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        for choice, label in field.flatchoices:
            if choice == value:
                return force_str(label, strings_only=True)
        return force_str(value, strings_only=True)
