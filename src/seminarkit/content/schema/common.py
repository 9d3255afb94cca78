"""Shared building blocks of the materials schema."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from seminarkit.markers import INSTRUCTOR_ONLY_FIELD

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*", re.ASCII)
"""Ids are ASCII only (used with fullmatch), so a Cyrillic 'а' can never pass for a Latin 'a'."""


def is_id(value: str) -> bool:
    """Tell whether ``value`` is a valid materials id."""
    return ID_PATTERN.fullmatch(value) is not None


def _check_id(value: str) -> str:
    if not is_id(value):
        raise ValueError(
            f"{value!r} is not a valid id (expected lower-case letters, digits, '-', '_' or '.', "
            "ASCII only)"
        )
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Id = Annotated[str, AfterValidator(_check_id), WithJsonSchema({
    "type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$",
    "description": "An id: lower-case ASCII letters, digits, '-', '_' or '.', starting with a letter or digit."})]
Text = Annotated[str, AfterValidator(_non_blank), WithJsonSchema({"type": "string", "pattern": "\\S"})]
SourceRef = Id
Confidence = Literal["H", "M"]
"""Confidence of a fact: H (stated in a source read) or M (several sources roughly agree, or
derived). L values are never allowed in materials."""


class Record(BaseModel):
    """Base of every materials record: immutable, unknown fields rejected.

    Instructor-only fields are typed optional (a student edition holds ``None`` there), but
    those declared with ``instructor_only(required=True)`` must be filled in the materials.
    """

    # allow_inf_nan=False: no answer, tolerance, point value or range may be .inf or .nan.
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True,
                              allow_inf_nan=False)

    @model_validator(mode="after")
    def _required_instructor_fields(self, info: ValidationInfo) -> Record:
        if redacted(info):
            return self  # a student bundle holds None where instructor values were
        for name, field in type(self).model_fields.items():
            extra = field.json_schema_extra
            required = isinstance(extra, dict) and extra.get("required_in_materials")
            if required and getattr(self, name) is None:
                raise PydanticCustomError(
                    "missing_instructor_field",
                    "field '{name}' is required (an instructor-only value)",
                    {"name": name},
                )
        return self


def redacted(info: ValidationInfo) -> bool:
    """Tell whether the file being validated comes from a redacted (student) bundle.

    The loader passes ``{"redacted": True}`` as validation context for a course whose
    ``course.yaml`` names an edition that withholds instructor material.
    """
    return isinstance(info.context, dict) and bool(info.context.get("redacted"))


def field_error(field: str, message: str) -> ValueError:
    """Build a validator error that names the field it is about (decoded by the loader)."""
    return ValueError(f"@{field}: {message}")


def instructor_only(*, required: bool = False, **kwargs: Any) -> Any:
    """Declare a field that only the instructor edition may contain.

    ``required=True`` means the materials must provide it; the field is still optional in
    the type so that a student edition can hold ``None`` in its place.
    """
    extra: dict[str, Any] = {INSTRUCTOR_ONLY_FIELD: True, "required_in_materials": required}
    return Field(default=None, json_schema_extra=extra, **kwargs)


def is_instructor_only(model: type[BaseModel], field: str) -> bool:
    """Return True when ``field`` of ``model`` is declared instructor-only."""
    extra = model.model_fields[field].json_schema_extra
    return isinstance(extra, dict) and bool(extra.get(INSTRUCTOR_ONLY_FIELD))


def sources_field() -> Any:
    """Declare the ``sources`` list every fact-bearing record carries (at least one id)."""
    return Field(min_length=1)
