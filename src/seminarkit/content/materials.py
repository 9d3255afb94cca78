"""Load and validate the course materials: :func:`load_course` and :func:`validate`.

Loading reads ``course.yaml`` and every module folder, validates each file against the
schema, runs the cross-reference checks in :mod:`seminarkit.content.checks`, and either returns a
:class:`Course` or raises one :class:`MaterialsError` listing every problem found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from seminarkit.content.paths import default_materials_dir, notebook_file, notebooks_dir_for
from seminarkit.content.problems import problems_from_validation
from seminarkit.content.schema.actors import ActorsFile
from seminarkit.content.schema.course import CourseFile
from seminarkit.content.schema.data import DatasetProvenance
from seminarkit.content.schema.glossary import GlossaryFile
from seminarkit.content.schema.module import ModuleFile
from seminarkit.content.schema.quiz import QuizFile
from seminarkit.content.schema.roles import RolesFile
from seminarkit.content.schema.sources import Source, SourcesFile
from seminarkit.content.schema.timeline import TimelineFile
from seminarkit.content.yamlio import YamlDoc, read_yaml
from seminarkit.editions import edition
from seminarkit.errors import MaterialsError, Problem, UnknownChoiceError

if TYPE_CHECKING:
    import pandas as pd

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

MODULE_FILES: dict[str, type[BaseModel]] = {
    "module.yaml": ModuleFile,
    "sources.yaml": SourcesFile,
    "timeline.yaml": TimelineFile,
    "actors.yaml": ActorsFile,
    "glossary.yaml": GlossaryFile,
    "quiz.yaml": QuizFile,
    "roles.yaml": RolesFile,
}
REQUIRED_FILES = ("module.yaml", "sources.yaml")


@dataclass(frozen=True)
class Dataset:
    """A CSV data set and its provenance record."""

    name: str
    csv_path: Path
    provenance: DatasetProvenance

    def frame(self) -> pd.DataFrame:
        """Read the CSV as a pandas DataFrame (pandas is imported on first use)."""
        import pandas

        return pandas.read_csv(self.csv_path, keep_default_na=True)


@dataclass(frozen=True)
class Module:
    """One module's materials, validated. Optional parts are ``None`` when absent."""

    id: str
    path: Path
    meta: ModuleFile
    sources: dict[str, Source]
    timeline: TimelineFile | None = None
    actors: ActorsFile | None = None
    glossary: GlossaryFile | None = None
    quiz: QuizFile | None = None
    roles: RolesFile | None = None
    datasets: dict[str, Dataset] = field(default_factory=dict)
    # file of this module (``module.yaml``, ``data/x.yaml``...) -> kinds of the cross-references
    # resolved in its text (see :mod:`seminarkit.content.xrefs` and :mod:`seminarkit.content.reads`)
    xref_kinds: dict[str, frozenset[str]] = field(default_factory=dict)

    def files(self) -> list[Path]:
        """Every materials file of this module (for cache keys)."""
        return sorted(p for p in self.path.rglob("*") if p.is_file())

    def _need(self, part: T | None, file: str) -> T:
        if part is None:
            raise MaterialsError([Problem(str(self.path / file), None, self.id, None,
                                          f"module {self.id!r} has no {file} (add it, or use a notebook that "
                                          "does not need it)")])
        return part

    def need_actors(self) -> ActorsFile:
        """Return the module's actors file; a clear error when it has none."""
        return self._need(self.actors, "actors.yaml")

    def need_timeline(self) -> TimelineFile:
        """Return the module's timeline; a clear error when it has none."""
        return self._need(self.timeline, "timeline.yaml")

    def need_roles(self) -> RolesFile:
        """Return the module's role-play; a clear error when it has none."""
        return self._need(self.roles, "roles.yaml")

    def need_quiz(self) -> QuizFile:
        """Return the module's question bank; a clear error when it has none."""
        return self._need(self.quiz, "quiz.yaml")


@dataclass(frozen=True)
class Course:
    """The whole course: its spine and its modules in order."""

    materials_dir: Path
    spec: CourseFile
    modules: dict[str, Module]

    def module(self, module_id: str) -> Module:
        """Return a module by id; an unknown id is a clear error listing the valid ones."""
        try:
            return self.modules[module_id]
        except KeyError:
            raise UnknownChoiceError("module", module_id, list(self.modules)) from None

    @property
    def notebooks_dir(self) -> Path:
        """Where the course's own notebooks live (a notebook missing here is the kit's)."""
        return notebooks_dir_for(self.materials_dir)

    def notebook_path(self, file: str) -> Path:
        """Return the notebook ``file``: the course's own copy if it has one, else the kit's."""
        return notebook_file(self.materials_dir, file)


def _validate_doc(doc: YamlDoc, model: type[M], problems: list[Problem],
                  redacted: bool = False) -> M | None:
    if doc.data is None:
        problems.append(Problem(str(doc.path), None, None, None,
                                f"file is empty (expected a mapping for {model.__name__})"))
        return None
    if not isinstance(doc.data, dict):
        problems.append(Problem(str(doc.path), doc.line_of(()), None, None,
                                f"expected a mapping at the top level, got {type(doc.data).__name__}"))
        return None
    try:
        return model.model_validate(doc.data, context={"redacted": redacted})
    except ValidationError as exc:
        problems.extend(problems_from_validation(doc, exc, model))
        return None


def _load_file(path: Path, model: type[M], problems: list[Problem],
               docs: dict[str, YamlDoc], key: str | None = None,
               redacted: bool = False) -> M | None:
    try:
        doc = read_yaml(path)
    except MaterialsError as exc:
        problems.extend(exc.problems)
        return None
    docs[key or path.name] = doc
    return _validate_doc(doc, model, problems, redacted)


def _load_datasets(module_dir: Path, problems: list[Problem],
                   docs: dict[str, YamlDoc]) -> dict[str, Dataset]:
    data_dir = module_dir / "data"
    datasets: dict[str, Dataset] = {}
    if not data_dir.is_dir():
        return datasets
    csvs = {p.stem: p for p in data_dir.glob("*.csv")}
    metas = {p.stem: p for p in data_dir.glob("*.yaml")}
    for stem in sorted(set(csvs) - set(metas)):
        problems.append(Problem(str(csvs[stem]), None, stem, None,
                                f"no provenance record (add data/{stem}.yaml with title, unit, "
                                "sources and columns)"))
    for stem in sorted(set(metas) - set(csvs)):
        problems.append(Problem(str(metas[stem]), None, stem, None,
                                f"provenance record without data (expected data/{stem}.csv)"))
    for stem in sorted(set(csvs) & set(metas)):
        prov = _load_file(metas[stem], DatasetProvenance, problems, docs, key=f"data/{stem}.yaml")
        if prov is not None:
            datasets[stem] = Dataset(stem, csvs[stem], prov)
    return datasets


def _load_module(module_dir: Path, problems: list[Problem],
                 redacted: bool) -> tuple[Module | None, dict[str, YamlDoc]]:
    docs: dict[str, YamlDoc] = {}
    parts: dict[str, Any] = {}
    for name, model in MODULE_FILES.items():
        path = module_dir / name
        if not path.is_file():
            if name in REQUIRED_FILES:
                problems.append(Problem(str(path), None, None, None,
                                        f"missing file (every module needs {name})"))
            continue
        parts[name] = _load_file(path, model, problems, docs, redacted=redacted)
    datasets = _load_datasets(module_dir, problems, docs)
    meta, sources = parts.get("module.yaml"), parts.get("sources.yaml")
    if meta is None or sources is None:
        return None, docs
    module = Module(
        id=module_dir.name,
        path=module_dir,
        meta=meta,
        sources={s.id: s for s in sources.sources},
        timeline=parts.get("timeline.yaml"),
        actors=parts.get("actors.yaml"),
        glossary=parts.get("glossary.yaml"),
        quiz=parts.get("quiz.yaml"),
        roles=parts.get("roles.yaml"),
        datasets=datasets,
    )
    return module, docs


def _collect(materials_dir: Path) -> tuple[Course | None, list[Problem]]:
    from seminarkit.content.checks import check_course, check_module

    problems: list[Problem] = []
    course_path = materials_dir / "course.yaml"
    if not course_path.is_file():
        return None, [Problem(str(course_path), None, None, None,
                              "missing course.yaml (is --materials the right folder?)")]
    course_docs: dict[str, YamlDoc] = {}
    spec = _load_file(course_path, CourseFile, problems, course_docs)
    if spec is None:
        return None, problems
    modules: dict[str, Module] = {}
    for index, entry in enumerate(spec.modules):
        module_dir = materials_dir / "modules" / entry.id
        if not module_dir.is_dir():
            doc = course_docs["course.yaml"]
            problems.append(Problem(str(course_path), doc.line_of(("modules", index, "id")),
                                    entry.id, "id",
                                    f"unknown module: no folder {module_dir} "
                                    "(create it or remove the entry)"))
            continue
        module, docs = _load_module(module_dir, problems, edition(spec.edition).redacts)
        if module is not None:
            check_module(module, spec, docs, problems)
            modules[entry.id] = module
    check_course(materials_dir, spec, course_docs["course.yaml"], modules, problems)
    from seminarkit.content.xrefs import resolve

    return Course(materials_dir, spec, {mid: resolve(m) for mid, m in modules.items()}), problems


def load_course(materials_dir: Path | None = None, *, note_reads: bool = True) -> Course:
    """Load and validate the course; raise MaterialsError listing every problem.

    The caller may use any of it, so every materials file is noted as read
    (:mod:`seminarkit.content.reads`); ``note_reads=False`` is for a caller that watches what
    it uses instead (:func:`seminarkit.render.notebook.start`).
    """
    course, problems = _collect(Path(materials_dir) if materials_dir else default_materials_dir())
    if problems or course is None:
        raise MaterialsError(problems)
    if note_reads:
        from seminarkit.content.reads import note_all

        note_all(course)
    return course


def validate(materials_dir: Path | None = None) -> tuple[Course | None, list[Problem]]:
    """Validate without raising: return the course (if it loaded) and all problems."""
    return _collect(Path(materials_dir) if materials_dir else default_materials_dir())


def summary_line(course: Course) -> str:
    """One line with counts per module, for a clean ``seminarkit validate``."""
    parts = []
    for mod in course.modules.values():
        counts = [
            f"{len(mod.timeline.events) if mod.timeline else 0} events",
            f"{len(mod.actors.actors) if mod.actors else 0} actors",
            f"{len(mod.glossary.terms) if mod.glossary else 0} terms",
            f"{len(mod.quiz.questions) if mod.quiz else 0} questions",
            f"{len(mod.datasets)} datasets",
            f"{len(mod.sources)} sources",
        ]
        parts.append(f"{mod.id} ({', '.join(counts)})")
    return f"materials OK: {len(course.modules)} module(s) — " + "; ".join(parts)

