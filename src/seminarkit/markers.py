"""Cell tags, metadata keys and solution delimiters: the public contract, defined once."""

from __future__ import annotations

# Cell tags (hyphenated, as Jupyter tools spell them).
TAG_PARAMETERS = "parameters"
TAG_INJECTED_PARAMETERS = "injected-parameters"
TAG_INSTRUCTOR_ONLY = "instructor-only"
TAG_STUDENT_ONLY = "student-only"
TAG_REMOVE_INPUT = "remove-input"
TAG_SHOW_INPUT = "show-input"
TAG_RAISES_EXCEPTION = "raises-exception"

# Kit-specific metadata lives under one key, in cells and in notebooks.
METADATA_KEY = "seminarkit"

# Solution and hidden-test regions, as nbgrader spells them.
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"

# Cell roles in exercise notebooks (metadata.seminarkit.role).
ROLE_ANSWER = "answer"
ROLE_TEST = "test"
ROLE_LOCKED = "locked"
ROLE_MANUAL = "manual"
ROLES = (ROLE_ANSWER, ROLE_TEST, ROLE_LOCKED, ROLE_MANUAL)

# Marker a pydantic field carries in json_schema_extra when only instructors may see it.
INSTRUCTOR_ONLY_FIELD = "instructor_only"
