"""The grading protocol: what crosses between grader, zygote, student process and gradebook.

Every type here is a ``TypedDict`` of plain JSON values, so a job and its result can travel
as JSON text through a pipe or a Dask cluster, and ``mypy`` checks every seam that reads
them. The grader builds a :class:`GradeJob`; the sandbox answers with a :class:`RunResult`;
scoring turns it into :class:`ItemJson` entries of a :class:`GradeReport`, which the
gradebook stores and the feedback renders.
"""

from __future__ import annotations

from typing import TypeAlias, TypedDict

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"


class Limits(TypedDict):
    """Time and memory limits of one submission's run."""

    cell_seconds: float
    total_seconds: float
    memory_mb: float


class JobCell(TypedDict):
    """One cell to execute: its key (cell id) and source."""

    key: str
    source: str


class GradeJob(TypedDict):
    """Everything the student process gets: cells, probe expressions, data files, limits."""

    cells: list[JobCell]
    probes: list[list[str]]  # [key, expression] pairs
    files: dict[str, str]  # file name -> base64 content
    limits: Limits
    isolate: bool


class StepOutcome(TypedDict):
    """How one executed step (cell or probe) ended."""

    status: str  # ok | error | timeout | memory | crashed
    ename: str
    evalue: str


class ProbeError(TypedDict):
    """Why a probe reported no value."""

    kind: str  # missing | timeout | too-large | unreportable | error
    detail: str


class ProbeValue(TypedDict, total=False):
    """A probe's reported value (encoded by :mod:`seminarkit.grading.codec`) or its error."""

    value: JSONValue
    error: ProbeError


class Isolation(TypedDict):
    """Which isolation layers the student process obtained."""

    network: bool
    filesystem: bool


class RunResult(TypedDict, total=False):
    """What the sandbox reports for one job."""

    status: str  # ok | timeout | crashed
    steps: dict[str, StepOutcome]
    values: dict[str, ProbeValue]
    output_chars: int
    isolation: Isolation
    attempts: int
    seconds: float
    error: str


class CheckJson(TypedDict):
    """One check of a test item, as stored and shown in feedback."""

    passed: bool
    hidden: bool
    message: str
    reason: str
    detail: str


class ItemJson(TypedDict):
    """One graded item (a test cell, a manual answer or a quiz question)."""

    item: str
    kind: str  # test | manual | quiz
    points: float
    max: float
    status: str
    detail: str
    checks: list[CheckJson]


class RunSummary(TypedDict, total=False):
    """The part of a :class:`RunResult` kept in the report."""

    status: str | None
    seconds: float | None
    attempts: int | None
    output_chars: int | None
    isolation: Isolation | None
    steps: dict[str, StepOutcome] | None


class GradeReport(TypedDict, total=False):
    """One student's graded submission of one exercise (``reports/<student>.json``)."""

    student: str
    exercise: str
    module: str
    submission: str
    hash: str
    status: str
    detail: str
    graded_at: str
    items: list[ItemJson]
    repairs: list[list[str]]
    manual_answers: dict[str, str]
    run: RunSummary
