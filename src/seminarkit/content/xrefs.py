"""Cross-references in materials text: ``[[kind:id]]`` checked on load and rendered as labels.

Text that points at another record of the module writes ``[[thesis:t5]]``, ``[[actor:taliban]]``,
``[[source:unama-poc-2019]]``... (docs/content-policy.md). Validation reports unknown kinds and
ids, and raw internal ids ("t5", "a11", "b3-q2") in any text a student sees. Loading resolves
every reference to its human label ("Thesis 5", the actor's name, "UNAMA, Protection of
Civilians..."), so every view, quiz, export and handout shows the label and never the id.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from seminarkit.errors import Problem

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.content.yamlio import Loc, YamlDoc

T = TypeVar("T")

XREF = re.compile(r"\[\[\s*([a-z]+)\s*:\s*([^\]\s]+)\s*\]\]")
LOOKS_LIKE_XREF = re.compile(r"\[\[[^\]]*\]\]")

# Fields whose strings are ids, codes or addresses, never prose.
NOT_PROSE = frozenset({
    "id", "url", "tests", "block", "objective", "category", "module", "notebook", "dataset", "source", "target",
    "actor", "type", "kind", "provenance", "confidence", "difficulty", "tolerance_kind", "key_hash", "file",
    "edition", "isbn", "language", "number", "x", "label", "confidence_column", "sources_column", "chart", "sources",
    "actors", "categories", "see_also", "sessions", "notebooks", "requires", "series", "status", "checked",
    "public_explanation", "name_column", "unit",
})


def labels(module: Module) -> dict[str, dict[str, str]]:
    """Every record a cross-reference can point at, by kind, id -> human label."""
    meta = module.meta
    theses = [t for b in meta.blocks for t in b.theses]
    found: dict[str, dict[str, str]] = {
        "thesis": {t.id: f"Thesis {n}" for n, t in enumerate(theses, start=1)},
        "block": {b.id: b.title for b in meta.blocks},
        "objective": {o.id: f"learning objective {n}" for n, o in enumerate(meta.objectives, start=1)},
        "development": {d.id: f"{d.title} ({d.date.display()})" for d in meta.after_report},
        "source": {s.id: f"{s.publisher}, {s.title}" for s in module.sources.values()},
        "dataset": {n: d.provenance.title for n, d in module.datasets.items()},
        "actor": {a.id: a.name for a in module.actors.actors} if module.actors else {},
        "event": ({e.id: f"{e.title} ({e.date.display()})" for e in module.timeline.events}
                  if module.timeline else {}),
        "term": {t.id: t.term for t in module.glossary.terms} if module.glossary else {},
        "role": {r.id: r.name for r in module.roles.roles} if module.roles else {},
    }
    return found


def thesis_numbers(module: Module) -> dict[str, int]:
    """Thesis id -> its number in the module (theses show this number wherever they appear)."""
    return {t.id: n for n, t in enumerate((t for b in module.meta.blocks for t in b.theses), start=1)}


def _texts(value: object, loc: Loc, field: str | None = None) -> Iterator[tuple[Loc, str, str, BaseModel | None]]:
    """Yield (location, field name, text, owning model) for every prose string under ``value``."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name in NOT_PROSE:
                continue
            child = getattr(value, name)
            if isinstance(child, str):
                yield (*loc, name), name, child, value
            else:
                yield from _texts(child, (*loc, name), name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str) and field is not None:
                yield (*loc, index), field, item, None
            else:
                yield from _texts(item, (*loc, index), field)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and field is not None:
                yield (*loc, key), field, f"{key} {item}", None


def _student_visible(model: BaseModel | None, field: str) -> bool:
    if model is None:
        return True
    from seminarkit.content.schema.common import is_instructor_only

    return field in type(model).model_fields and not is_instructor_only(type(model), field)


def _raw_id_pattern(module: Module) -> re.Pattern[str] | None:
    ids: set[str] = set()
    for kind_ids in labels(module).values():
        ids.update(kind_ids)
    meta = module.meta
    ids.update(d.id for b in meta.blocks for d in b.discussion)
    ids.update(p.id for p in meta.session_plans)
    if module.quiz is not None:
        ids.update(q.id for q in module.quiz.questions)
    # Only ids that cannot be ordinary words: a letter and a digit ("t5", "a11", "b3-q2").
    risky = sorted((i for i in ids if re.search(r"[a-z]", i) and re.search(r"\d", i)), key=len, reverse=True)
    if not risky:
        return None
    # A file name ("data/results_2025.csv") is not an id in prose.
    return re.compile(r"(?<![\w/.-])(" + "|".join(re.escape(i) for i in risky) + r")(?![\w-]|\.\w)")


def check_module_text(module: Module, docs: dict[str, YamlDoc], problems: list[Problem]) -> None:
    """Report unknown or malformed cross-references, and raw ids in student-visible text."""
    known = labels(module)
    raw_ids = _raw_id_pattern(module)
    for file_name, root in _parts(module).items():
        doc = docs.get(file_name)
        if root is None or doc is None:
            continue
        for loc, field, text, owner in _texts(root, ()):
            record = doc.record_id(loc)

            def report(message: str, loc: Loc = loc, field: str = field, record: str | None = record,
                       doc: YamlDoc = doc) -> None:
                problems.append(Problem(str(doc.path), doc.line_of(loc), record, field, message))

            for found in LOOKS_LIKE_XREF.finditer(text):
                match = XREF.fullmatch(found.group(0))
                if match is None:
                    report(f"malformed cross-reference {found.group(0)!r} (write [[kind:id]], e.g. [[thesis:t5]])")
                    continue
                kind, ident = match.groups()
                if kind not in known:
                    report(f"unknown cross-reference kind {kind!r} in {found.group(0)!r} "
                           f"(one of: {', '.join(sorted(known))})")
                elif ident not in known[kind]:
                    report(f"cross-reference {found.group(0)!r}: no {kind} with id {ident!r} in this module")
            if raw_ids is not None and _student_visible(owner, field):
                bare = LOOKS_LIKE_XREF.sub(" ", text)
                for hit in sorted(set(raw_ids.findall(bare))):
                    kind = next((k for k, ids in known.items() if hit in ids), None)
                    suggestion = f"[[{kind}:{hit}]]" if kind else "the record's name"
                    report(f"raw internal id {hit!r} in text students see: write {suggestion} or plain words")


def _parts(module: Module) -> dict[str, BaseModel | None]:
    parts: dict[str, BaseModel | None] = {
        "module.yaml": module.meta, "timeline.yaml": module.timeline, "actors.yaml": module.actors,
        "glossary.yaml": module.glossary, "quiz.yaml": module.quiz, "roles.yaml": module.roles,
    }
    parts.update({f"data/{n}.yaml": d.provenance for n, d in module.datasets.items()})
    return parts


def render(text: str, known: dict[str, dict[str, str]]) -> str:
    """Replace every known ``[[kind:id]]`` in ``text`` with its label (unknown ones stay as written)."""
    if "[[" not in text:
        return text

    def label(match: re.Match[str]) -> str:
        kind, ident = match.groups()
        return known.get(kind, {}).get(ident, match.group(0))

    return XREF.sub(label, text)


def _map_strings(value: T, convert: Callable[[str], str]) -> T:
    """Return ``value`` with every string in its prose fields converted (new objects only where changed)."""
    if isinstance(value, BaseModel):
        updates: dict[str, object] = {}
        for name in type(value).model_fields:
            if name in NOT_PROSE:
                continue
            current = getattr(value, name)
            new = convert(current) if isinstance(current, str) else _map_strings(current, convert)
            if new is not current and new != current:
                updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, list):
        items = [convert(v) if isinstance(v, str) else _map_strings(v, convert) for v in value]
        return items if items != value else value  # type: ignore[return-value]
    if isinstance(value, dict):  # a matching key: both sides are prose
        mapped = {(convert(k) if isinstance(k, str) else k): (convert(v) if isinstance(v, str) else
                                                             _map_strings(v, convert)) for k, v in value.items()}
        return mapped if mapped != value else value  # type: ignore[return-value]
    return value


def resolve(module: Module) -> Module:
    """Return ``module`` with every cross-reference in its text replaced by the target's label."""
    known = labels(module)
    kinds: dict[str, set[str]] = {}

    def converter(part: str) -> Callable[[str], str]:
        found = kinds.setdefault(part, set())

        def convert(text: str) -> str:
            if "[[" in text:
                found.update(match.group(1) for match in XREF.finditer(text))
            return render(text, known)

        return convert

    datasets = {name: dataclasses.replace(d, provenance=_map_strings(d.provenance, converter(f"data/{name}.yaml")))
                for name, d in module.datasets.items()}
    return dataclasses.replace(
        module, meta=_map_strings(module.meta, converter("module.yaml")),
        timeline=_map_strings(module.timeline, converter("timeline.yaml")),
        actors=_map_strings(module.actors, converter("actors.yaml")),
        glossary=_map_strings(module.glossary, converter("glossary.yaml")),
        quiz=_map_strings(module.quiz, converter("quiz.yaml")),
        roles=_map_strings(module.roles, converter("roles.yaml")),
        datasets=datasets, xref_kinds={part: frozenset(found) for part, found in kinds.items() if found})
