"""Cross-reference checks that the schema alone cannot express.

Unique ids, source ids that resolve, actor/event/block/objective references, CSV files
against their provenance, and the course spine against modules and notebooks. Every
problem is located (file, line, record, field).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from seminarkit.content import policy, xrefs
from seminarkit.content.integrity import capped, check_integrity, duplicate_x, parse_value
from seminarkit.content.problems import record_label
from seminarkit.content.schema.course import CourseFile
from seminarkit.content.yamlio import Loc, YamlDoc, read_text
from seminarkit.dates import PartialDate
from seminarkit.errors import MaterialsError, Problem

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.content.schema.data import DatasetProvenance

# Which module file each notebook requirement needs.
REQUIREMENT_FILES = {
    "timeline": "timeline.yaml",
    "actors": "actors.yaml",
    "glossary": "glossary.yaml",
    "quiz": "quiz.yaml",
    "roles": "roles.yaml",
}


class _Reporter:
    """Collects problems for one YAML document."""

    def __init__(self, doc: YamlDoc, problems: list[Problem], default_record: str | None = None):
        self.doc, self.problems, self.default_record = doc, problems, default_record

    def __call__(self, loc: Loc, field: str, message: str) -> None:
        full = (*loc, field)
        record = record_label(self.doc, full) or self.default_record
        self.problems.append(Problem(str(self.doc.path), self.doc.line_of(full),
                                     record, field, message))


def walk(model: Any, loc: Loc = ()) -> Iterator[tuple[Loc, BaseModel]]:
    """Yield every nested model with its location (keys as in the YAML)."""
    if isinstance(model, BaseModel):
        yield loc, model
        for name in type(model).model_fields:
            yield from walk(getattr(model, name), (*loc, name))
    elif isinstance(model, list):
        for index, item in enumerate(model):
            yield from walk(item, (*loc, index))


def _unique_ids(report: _Reporter, root: BaseModel) -> None:
    seen: dict[tuple[str, str], Loc] = {}
    for loc, model in walk(root):
        ident = getattr(model, "id", None)
        if not isinstance(ident, str) or not loc:
            continue
        key = (type(model).__name__, ident)
        if key in seen:
            first = report.doc.line_of(seen[key])
            report(loc, "id", f"duplicate id {ident!r} (first used at line {first}; ids must be unique)")
        else:
            seen[key] = loc


def _refs(report: _Reporter, root: BaseModel, field: str, valid: set[str], what: str,
          hint: str) -> None:
    for loc, model in walk(root):
        value = getattr(model, field, None) if field in type(model).model_fields else None
        values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        for item in values:
            if item not in valid:
                report(loc, field, f"unknown {what} {item!r} ({hint})")


def check_module(module: Module, course: CourseFile, docs: dict[str, YamlDoc],
                 problems: list[Problem]) -> None:
    """Run every cross-reference check on one loaded module."""
    sources = set(module.sources)
    meta = module.meta
    blocks = {b.id for b in meta.blocks}
    theses = {t.id for b in meta.blocks for t in b.theses}
    objectives = {o.id for o in meta.objectives}
    actors = {a.id for a in module.actors.actors} if module.actors else set()
    plans = {p.id for p in meta.session_plans}
    modules = {m.id for m in course.modules}
    notebooks = {n.id for n in course.notebooks}
    datasets = set(module.datasets)
    parts: dict[str, BaseModel | None] = {
        "module.yaml": meta, "timeline.yaml": module.timeline, "actors.yaml": module.actors,
        "glossary.yaml": module.glossary, "quiz.yaml": module.quiz, "roles.yaml": module.roles,
    }
    parts.update({f"data/{n}.yaml": d.provenance for n, d in module.datasets.items()})
    src_hint = "add it to sources.yaml or fix the id"
    for name, root in parts.items():
        if root is None or name not in docs:
            continue
        report = _Reporter(docs[name], problems)
        _unique_ids(report, root)
        _refs(report, root, "sources", sources, "source id", src_hint)
    if "sources.yaml" in docs:
        from seminarkit.content.schema.sources import SourcesFile

        _unique_ids(_Reporter(docs["sources.yaml"], problems),
                    SourcesFile(sources=list(module.sources.values())))
    rep = _Reporter(docs["module.yaml"], problems)
    _refs(rep, meta, "tests", theses, "thesis", "use a thesis id from the blocks")
    _refs(rep, meta, "sessions", plans, "session plan", "use an id from session_plans")
    _refs(rep, meta, "module", modules, "module", "use a module id from course.yaml")
    _refs(rep, meta, "notebook", notebooks, "notebook", "use a notebook id from course.yaml")
    _refs(rep, meta, "dataset", datasets, "data set", "use a CSV name from data/")
    _refs(rep, meta, "actors", actors, "actor", "use an id from actors.yaml")
    if module.timeline is not None:
        cats = {c.id for c in module.timeline.categories}
        _refs(rep, meta, "categories", cats, "category", "use a category from timeline.yaml")
        trep = _Reporter(docs["timeline.yaml"], problems)
        _refs(trep, module.timeline, "category", cats, "category",
              "declare it under categories")
        _refs(trep, module.timeline, "actors", actors, "actor", "use an id from actors.yaml")
        for loc, event in walk(module.timeline):
            end, date = getattr(event, "end", None), getattr(event, "date", None)
            if isinstance(end, PartialDate) and isinstance(date, PartialDate) and end < date:
                trep(loc, "end", f"ends ({end}) before it starts ({date})")
    if module.actors is not None:
        arep = _Reporter(docs["actors.yaml"], problems)
        _refs(arep, module.actors, "source", actors, "actor", "use an id from actors")
        _refs(arep, module.actors, "target", actors, "actor", "use an id from actors")
        _refs(arep, module.actors, "block", blocks, "block", "use a block id from module.yaml")
    if module.glossary is not None:
        terms = {t.id for t in module.glossary.terms}
        _refs(_Reporter(docs["glossary.yaml"], problems), module.glossary, "see_also", terms,
              "term", "use a term id from glossary.yaml")
    if module.quiz is not None:
        qrep = _Reporter(docs["quiz.yaml"], problems)
        _refs(qrep, module.quiz, "objective", objectives, "learning objective",
              "use an objective id from module.yaml")
        _refs(qrep, module.quiz, "block", blocks, "block", "use a block id from module.yaml")
    if module.roles is not None:
        _refs(_Reporter(docs["roles.yaml"], problems), module.roles, "actor", actors, "actor",
              "use an id from actors.yaml")
    for name, dataset in module.datasets.items():
        reporter = _Reporter(docs[f"data/{name}.yaml"], problems, default_record=name)
        check_csv(dataset.csv_path, dataset.provenance, reporter, sources, problems)
        policy.check_dataset_sources(module, name, docs[f"data/{name}.yaml"], problems)
    if "sources.yaml" in docs:
        policy.check_sources(module, docs["sources.yaml"], problems)
    xrefs.check_module_text(module, docs, problems)
    check_integrity(module, docs, problems)


def check_csv(path: Path, prov: DatasetProvenance, report: _Reporter, sources: set[str],
              problems: list[Problem]) -> None:
    """Check a CSV's header and every value against its provenance record."""
    expected = [c.name for c in prov.columns]
    for attr in ("x", "confidence_column", "sources_column", "label"):
        col = getattr(prov, attr)
        if col is not None and col not in expected:
            report((), attr, f"column {col!r} is not declared (expected one of: {', '.join(expected)})")
    for col in prov.series:
        if col not in expected:
            report((), "series",
                   f"column {col!r} is not declared (expected one of: {', '.join(expected)})")
    try:
        rows = list(csv.reader(io.StringIO(read_text(path, "CSV"), newline="")))
    except MaterialsError as exc:  # binary or not UTF-8: one line, not one per row
        problems.extend(Problem(p.path, p.line, path.stem, p.field, p.message)
                        for p in exc.problems)
        return
    except csv.Error as exc:
        problems.append(Problem(str(path), None, path.stem, None, f"cannot read CSV: {exc}"))
        return
    if not rows:
        problems.append(Problem(str(path), 1, path.stem, None, "empty CSV (expected a header row)"))
        return
    header = [h.strip() for h in rows[0]]
    if header != expected:
        problems.append(Problem(str(path), 1, path.stem, "columns",
                                f"header {header} does not match the provenance columns {expected}"))
        return
    specs = prov.columns
    found: list[Problem] = []
    parsed_rows: list[tuple[int, dict[str, object]]] = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(specs):
            found.append(Problem(str(path), line_no, f"row {line_no}", None,
                                 f"{len(row)} values (expected {len(specs)})"))
            continue
        values: dict[str, object] = {}
        for spec, cell in zip(specs, row, strict=True):
            value = cell.strip()
            if not value:
                if spec.required:
                    found.append(Problem(str(path), line_no, f"row {line_no}", spec.name,
                                         "empty value (this column is required)"))
                continue
            try:
                values[spec.name] = parse_value(spec, value)
            except ValueError as exc:
                found.append(Problem(str(path), line_no, f"row {line_no}", spec.name, str(exc)))
                continue
            if spec.name == prov.confidence_column and value not in {"H", "M"}:
                found.append(Problem(str(path), line_no, f"row {line_no}", spec.name,
                                     f"confidence {value!r} (expected H or M; L values stay out)"))
            if spec.name == prov.sources_column:
                for ref in value.split(";"):
                    if ref.strip() not in sources:
                        found.append(Problem(str(path), line_no, f"row {line_no}", spec.name,
                                             f"unknown source id {ref.strip()!r} "
                                             "(add it to sources.yaml)"))
        parsed_rows.append((line_no, values))
    found.extend(duplicate_x(path, prov, parsed_rows))
    problems.extend(capped(found, path))


def check_course(materials_dir: Path, spec: CourseFile, doc: YamlDoc, modules: dict[str, Module],
                 problems: list[Problem]) -> None:
    """Check the spine: unique ids, notebooks exist, modules have what notebooks need."""
    from seminarkit.content.paths import notebook_file

    report = _Reporter(doc, problems)
    _unique_ids(report, spec)
    notebooks = {n.id: n for n in spec.notebooks}
    for index, nb in enumerate(spec.notebooks):
        path = notebook_file(materials_dir, nb.file)
        if not path.is_file():
            report(("notebooks", index), "file", f"no notebook {path} in the course or the kit "
                                                 "(add it or fix the name)")
    module_ids = {m.id for m in spec.modules}
    for index, entry in enumerate(spec.modules):
        module = modules.get(entry.id)
        for nb_id in entry.notebooks:
            if nb_id not in notebooks:
                report(("modules", index), "notebooks",
                       f"unknown notebook {nb_id!r} (choose from: {', '.join(notebooks)})")
                continue
            if module is None:
                continue
            for need in notebooks[nb_id].requires:
                # A file that exists but failed validation was reported already.
                missing = (need == "data" and not module.datasets) or (
                    need == "blocks" and not module.meta.blocks) or (
                    need in REQUIREMENT_FILES and getattr(module, need) is None
                    and not (module.path / REQUIREMENT_FILES[need]).is_file())
                if missing:
                    report(("modules", index), "notebooks",
                           f"notebook {nb_id!r} needs {need} but module {entry.id!r} has none")
    for index, session in enumerate(spec.sequence):
        for mod in session.modules:
            if mod not in module_ids:
                report(("sequence", index), "modules", f"unknown module {mod!r}")
        for nb_id in session.notebooks:
            if nb_id not in notebooks:
                report(("sequence", index), "notebooks", f"unknown notebook {nb_id!r}")
