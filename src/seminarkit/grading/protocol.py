"""The grading protocol: what crosses between grader, supervisor, student process and gradebook.

Every type here is a ``TypedDict`` of plain JSON values, so a job and its result can travel
as JSON text through a pipe or a Dask cluster, and ``mypy`` checks every seam that reads
them. The grader builds a :class:`GradeJob`; :mod:`~seminarkit.grading.sandbox` runs it as
one or more :class:`AttemptJob` (each in a supervisor forked from the pristine template) and
answers with a :class:`RunResult`; scoring turns it into :class:`ItemJson` entries of a
:class:`GradeReport`, which the gradebook stores and the feedback renders.
"""

from __future__ import annotations

from typing import TypeAlias, TypedDict

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"


class Limits(TypedDict):
    """Time and memory limits of one submission's run."""

    cell_seconds: float
    total_seconds: float
    memory_mb: float


class JobCell(TypedDict, total=False):
    """One step of the notebook, in order: a cell to execute, or a test cell's position.

    A *point* (``point: True``, ``key`` = the test cell's id) is where the test's probes
    are evaluated, as Jupyter would run the test cell there.
    """

    key: str
    source: str
    point: bool


class ProbeSpec(TypedDict):
    """A value to report at one test cell's position: the key, the expression, who may see it.

    ``key`` is ``<test id>/<expression key>``. ``public`` is False when only hidden checks
    read it: such probes are evaluated in a snapshot of the student process taken at the
    test's position, after the process itself has finished, and nothing said about them
    reaches feedback.
    """

    test: str
    key: str
    expr: str
    public: bool


class GradeJob(TypedDict):
    """One submission to execute: cells, probes, data files, limits."""

    cells: list[JobCell]
    probes: list[ProbeSpec]
    files: dict[str, str]  # file name -> base64 content
    limits: Limits
    isolate: bool


class AttemptJob(TypedDict, total=False):
    """What a supervisor reads first: the cells to run (probes and nonce come after the fork)."""

    cells: list[JobCell]
    files: dict[str, str]
    limits: Limits
    skip: list[str]  # cell keys not to run again (they timed out or crashed)
    seconds: float  # time left for this attempt
    isolate: bool


class StepOutcome(TypedDict, total=False):
    """How one executed step (cell or probe) ended, with notes (shell commands not run...)."""

    status: str  # ok | error | timeout | memory | crashed
    ename: str
    evalue: str
    notes: list[str]


class ProbeError(TypedDict):
    """Why a probe reported no value."""

    kind: str  # missing | timeout | too-large | unreportable | error
    detail: str


class ProbeValue(TypedDict, total=False):
    """A probe's reported value (encoded by :mod:`seminarkit.grading.codec`) or its error."""

    value: JSONValue
    error: ProbeError


class Isolation(TypedDict, total=False):
    """Which isolation layers the student process obtained (see docs/grading.md).

    ``processes``: a PID namespace (every process dies with the job, none outside is
    visible); ``proc``: a private ``/proc``; ``network``: no network; ``filesystem``:
    Landlock; ``signals``: no signal reaches a process outside the job; ``sockets``: the
    seccomp filter (no ``AF_UNIX`` sockets); ``capabilities``: none left; ``tasks``: a cgroup
    caps the job's processes; ``disk``: the working folder is a size-capped tmpfs.
    """

    processes: bool
    proc: bool
    network: bool
    filesystem: bool
    signals: bool
    abstract_sockets: bool
    tcp: bool
    sockets: bool
    capabilities: bool
    tasks: bool
    disk: bool


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
    rejected_events: int


class CheckJson(TypedDict):
    """One check of a test item, as stored and shown in feedback."""

    passed: bool
    hidden: bool
    message: str
    reason: str
    detail: str


class _ItemRequired(TypedDict):
    item: str
    kind: str  # test | manual | quiz
    points: float
    max: float
    status: str
    detail: str
    checks: list[CheckJson]


class ItemJson(_ItemRequired, total=False):
    """One graded item (a test cell, a manual answer or a quiz question).

    ``note`` (manual items) says why a mark is needed again (the answer changed).
    """

    note: str


class RunSummary(TypedDict, total=False):
    """The part of a :class:`RunResult` kept in the report."""

    status: str | None
    seconds: float | None
    attempts: int | None
    output_chars: int | None
    isolation: Isolation | None
    steps: dict[str, StepOutcome] | None
    rejected_events: int | None


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
    notes: list[list[str]]  # [cell id, note]: shell commands not run, unknown magics...
    manual_answers: dict[str, str]
    run: RunSummary
