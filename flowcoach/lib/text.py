"""One length and character policy for every text field a person types.

- A **one-line** field (a name, a title, a subject) holds at most 200 characters unless its
  column sets its own limit, and no control characters at all, line breaks included: a name
  with a line break in it later broke scheduling (email headers, calendar invitations).
- A **multi-line** field (notes, stories, email bodies) holds at most 20,000 characters unless
  it sets its own limit, line breaks and tabs but no other control characters (NUL above all:
  PostgreSQL refuses it).

Forms take the policy by inheriting `TextPolicyMixin` first; a test walks every form of the
project and fails when one does not. JSON endpoints call `check_one_line`/`check_multi_line`.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

ONE_LINE_MAX = 200
MULTI_LINE_MAX = 20_000

_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

ONE_LINE_MESSAGE = "Keep this to one line, without special characters."
MULTI_LINE_MESSAGE = "This contains characters that cannot be saved. Please remove them."
TOO_LONG = "Keep this to %(limit_value)s characters or fewer (it has %(show_value)s)."


def problem_one_line(value: str, limit: int = ONE_LINE_MAX) -> str | None:
    if _CONTROL_ONE_LINE.search(value):
        return ONE_LINE_MESSAGE
    if len(value) > limit:
        return f"Keep this to {limit} characters or fewer (it has {len(value)})."
    return None


def problem_multi_line(value: str, limit: int = MULTI_LINE_MAX) -> str | None:
    if _CONTROL_MULTI_LINE.search(value):
        return MULTI_LINE_MESSAGE
    if len(value) > limit:
        return f"Keep this to {limit:,} characters or fewer (it has {len(value):,})."
    return None


def _validate_one_line(value) -> None:
    if isinstance(value, str) and _CONTROL_ONE_LINE.search(value):
        raise ValidationError(ONE_LINE_MESSAGE, code="one_line")


def _validate_multi_line(value) -> None:
    if isinstance(value, str) and _CONTROL_MULTI_LINE.search(value):
        raise ValidationError(MULTI_LINE_MESSAGE, code="characters")


def is_multi_line(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def is_typed_text(field: forms.Field) -> bool:
    """Text a person types: not passwords (never shown, and may hold any character), not
    hidden fields (written by our pages), not choices."""
    return (
        isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.PasswordInput | forms.HiddenInput)
        and not isinstance(field, forms.ChoiceField)
    )


class TextPolicyMixin:
    """Applies the policy to every typed text field of the form it is mixed into."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._apply_text_policy()

    def full_clean(self):
        # Again here: some forms add fields in their own __init__, after ours has run.
        self._apply_text_policy()
        super().full_clean()

    def _apply_text_policy(self) -> None:
        for field in self.fields.values():
            if not is_typed_text(field) or getattr(field, "_text_policy", False):
                continue
            multi = is_multi_line(field)
            # A field that declares its own limit (its column's) keeps it; the others get the
            # policy's, so no field takes a megabyte.
            if field.max_length is None:
                field.max_length = MULTI_LINE_MAX if multi else ONE_LINE_MAX
                field.validators.append(MaxLengthValidator(field.max_length, message=TOO_LONG))
                field.widget.attrs["maxlength"] = str(field.max_length)
            field.validators.append(_validate_multi_line if multi else _validate_one_line)
            field._text_policy = True
