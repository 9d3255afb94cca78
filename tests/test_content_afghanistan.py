"""Content minimums (issue 3) for the main module, afghanistan-2018.

The tests load the real course with ``load_course()``. That raises when *any* module has a
problem; while other modules are being written, the fixture falls back to ``validate()`` but
still fails if a problem is located in this module.
"""

from __future__ import annotations

import csv
import re

import pytest

from seminarkit.content.materials import Course, Module, load_course, validate
from seminarkit.content.schema.quiz import QUESTION_TYPES
from seminarkit.errors import MaterialsError

MODULE = "afghanistan-2018"
CATEGORIES = {"diplomacy", "security", "terrorism", "us-nato", "drugs", "russia-taliban"}
OBJECTIVE_VERBS = {"explain", "compare", "evaluate", "identify", "assess", "interpret",
                   "analyse", "analyze", "describe", "distinguish"}


@pytest.fixture(scope="module")
def course() -> Course:
    """Load the real course; fail on any materials problem located in this module."""
    try:
        return load_course()
    except MaterialsError as exc:
        ours = [p for p in exc.problems if f"/{MODULE}/" in p.path]
        assert not ours, "\n".join(str(p) for p in ours)
        loaded, _ = validate()
        assert loaded is not None
        return loaded


@pytest.fixture(scope="module")
def mod(course: Course) -> Module:
    assert MODULE in course.modules, f"{MODULE} did not load"
    return course.modules[MODULE]


def test_module_is_complete(mod: Module) -> None:
    assert mod.meta.status == "complete"


def test_bibliographic_record(mod: Module) -> None:
    rec = mod.meta.record
    assert rec.title == "Russia's Afghan Policy in the Regional and Russia-West Contexts"
    assert [a.name for a in rec.authors] == ["Ekaterina Stepanova"]
    assert rec.authors[0].affiliation and "IMEMO" in rec.authors[0].affiliation
    assert rec.series == "Russie.Nei.Reports" and rec.number == "23"
    assert str(rec.date) == "2018-05"
    assert rec.isbn == "978-2-36567-855-1"
    assert rec.url and rec.url.startswith("https://www.ifri.org/")


def test_summary_is_150_to_300_words_and_says_what_the_kit_is(mod: Module) -> None:
    summary = mod.meta.summary
    words = len(summary.split())
    assert 150 <= words <= 300, words
    assert "companion" in summary and "summary" in summary


def test_objectives_are_measurable(mod: Module) -> None:
    objectives = mod.meta.objectives
    assert 6 <= len(objectives) <= 8
    for obj in objectives:
        assert re.fullmatch(r"lo[1-8]", obj.id), obj.id
        assert obj.text.split()[0].lower() in OBJECTIVE_VERBS, obj.text


def test_six_blocks_with_reading_guides_and_discussion(mod: Module) -> None:
    blocks = mod.meta.blocks
    assert [b.id for b in blocks] == ["b1", "b2", "b3", "b4", "b5", "b6"]
    for block in blocks:
        assert block.summary, block.id
        assert 3 <= len(block.reading_guide) <= 4, block.id
        assert 2 <= len(block.discussion) <= 3, block.id
        for item in block.discussion:
            assert item.notes and item.model_answer, item.id
        assert block.facilitation, block.id
        assert block.figure is not None, block.id


def test_twelve_theses_with_provenance_and_sources(mod: Module) -> None:
    theses = {t.id: t for b in mod.meta.blocks for t in b.theses}
    assert sorted(theses, key=lambda i: int(i[1:])) == [f"t{i}" for i in range(1, 13)]
    for thesis in theses.values():
        assert thesis.provenance, thesis.id
        assert thesis.sources and all(s in mod.sources for s in thesis.sources), thesis.id
    for tid in ("t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"):
        assert theses[tid].provenance == "report-summary" and theses[tid].confidence == "H"
    for tid in ("t9", "t10", "t11"):
        assert theses[tid].provenance == "author-2017" and theses[tid].confidence == "M"
    assert theses["t12"].provenance == "author-2013"


def test_figures_point_to_real_things(mod: Module) -> None:
    actors = {a.id for a in mod.actors.actors} if mod.actors else set()
    for block in mod.meta.blocks:
        fig = block.figure
        assert fig is not None
        if fig.kind == "data":
            assert fig.dataset in mod.datasets, block.id
        elif fig.kind == "actors":
            assert fig.actors and set(fig.actors) <= actors, block.id
        else:
            assert fig.categories and set(fig.categories) <= CATEGORIES, block.id
            assert fig.start is not None and fig.end is not None and fig.start <= fig.end


def test_after_report_developments(mod: Module) -> None:
    devs = mod.meta.after_report
    assert 8 <= len(devs) <= 12
    theses = {t.id for b in mod.meta.blocks for t in b.theses}
    for dev in devs:
        assert dev.tests in theses, dev.id
        assert 2018 <= dev.date.year <= 2025, dev.id
        assert dev.prompt and dev.assessment and dev.sources, dev.id


def test_session_plans_and_sequence(mod: Module) -> None:
    plans = {p.id: p for p in mod.meta.session_plans}
    lengths = sorted(p.minutes for p in plans.values())
    assert 60 in lengths and lengths.count(90) >= 3, lengths
    for plan in plans.values():
        assert sum(a.minutes for a in plan.activities) == plan.minutes, plan.id
    assert mod.meta.sequences, "no sequence"
    seq = mod.meta.sequences[0]
    assert len(seq.sessions) == 2
    assert all(plans[s].minutes == 90 for s in seq.sessions)
    assert mod.meta.instructor_notes
    assert 3 <= len(mod.meta.exercise_ideas) <= 4


def test_timeline(mod: Module) -> None:
    assert mod.timeline is not None and mod.actors is not None
    events = mod.timeline.events
    assert len(events) >= 35
    assert {c.id for c in mod.timeline.categories} == CATEGORIES
    assert {e.category for e in events} == CATEGORIES
    actors = {a.id for a in mod.actors.actors}
    for event in events:
        assert 2001 <= event.date.year <= 2025, event.id
        assert event.actors, event.id
        assert set(event.actors) <= actors, event.id
        assert len(event.title) <= 80, event.id


def test_actors_and_relations(mod: Module) -> None:
    assert mod.actors is not None
    actors = mod.actors.actors
    assert len(actors) >= 12
    assert {"state", "organisation", "movement", "person"} <= {a.kind for a in actors}
    assert any(a.stances for a in actors)
    blocks = {b.id for b in mod.meta.blocks}
    assert all(s.block in blocks for a in actors for s in a.stances)
    relations = mod.actors.relations
    assert len(relations) >= 15
    ids = {a.id for a in actors}
    for rel in relations:
        assert rel.source in ids and rel.target in ids, rel.id
        assert rel.sources, rel.id


def test_glossary(mod: Module) -> None:
    assert mod.glossary is not None
    assert len(mod.glossary.terms) >= 15
    assert all(t.sources for t in mod.glossary.terms)


def test_datasets_present_and_no_low_confidence(mod: Module) -> None:
    assert {"unama_casualties", "unodc_opium", "moscow_format_meetings"} <= set(mod.datasets)
    for name, ds in mod.datasets.items():
        prov = ds.provenance
        assert prov.confidence_column == "confidence", name
        assert prov.sources_column == "sources", name
        assert prov.x and prov.series and prov.notes, name
        with ds.csv_path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, name
        for row in rows:
            assert row["confidence"] in {"H", "M"}, (name, row)
            assert all(s in mod.sources for s in row["sources"].split(";")), (name, row)


def test_unama_leaves_out_unsourced_and_partial_years(mod: Module) -> None:
    with mod.datasets["unama_casualties"].csv_path.open(newline="", encoding="utf-8") as handle:
        years = {int(r["year"]) for r in csv.DictReader(handle)}
    assert 2012 not in years and 2021 not in years
    with mod.datasets["unodc_opium"].csv_path.open(newline="", encoding="utf-8") as handle:
        years = {int(r["year"]) for r in csv.DictReader(handle)}
    assert not years & {2018, 2019, 2020}


def test_quiz_coverage(mod: Module) -> None:
    assert mod.quiz is not None
    questions = mod.quiz.questions
    assert len(questions) >= 40
    by_type: dict[str, int] = {}
    for q in questions:
        by_type[q.type] = by_type.get(q.type, 0) + 1
    assert set(by_type) == set(QUESTION_TYPES), by_type
    assert all(n >= 3 for n in by_type.values()), by_type
    objectives = {o.id for o in mod.meta.objectives}
    blocks = {b.id for b in mod.meta.blocks}
    for q in questions:
        assert q.objective in objectives, q.id
        assert q.block is None or q.block in blocks, q.id
        assert q.explanation and q.difficulty and q.sources, q.id
    assert {q.block for q in questions if q.block} == blocks
    shown = sum(q.show_explanation for q in questions)
    assert len(questions) // 3 <= shown <= 2 * len(questions) // 3, shown


def test_roles_seat_classes_of_6_to_30(mod: Module) -> None:
    roles = mod.roles
    assert roles is not None
    assert str(roles.date).startswith("2018-11")
    assert len(roles.roles) >= 10
    first = [r for r in roles.roles if r.priority == 1]
    assert 5 <= len(first) <= 7
    assert any(r.id == "russia" and r.priority == 1 for r in roles.roles)
    assert sum(r.max_delegates for r in roles.roles) >= 30
    assert sum(r.max_delegates for r in first) >= 6
    actors = {a.id for a in mod.actors.actors} if mod.actors else set()
    for role in roles.roles:
        assert role.actor is None or role.actor in actors, role.id
        assert 2 <= len(role.facts) <= 3, role.id
        assert role.public_position and role.private_interests and role.red_lines, role.id
    assert roles.chair_agenda and roles.debrief and roles.debrief_notes


def test_every_listed_source_is_used_or_marked_further_reading(mod: Module) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in mod.files()
                     if p.suffix in {".yaml", ".csv"} and p.name != "sources.yaml")
    unused = [s for s, src in mod.sources.items()
              if not (src.note or "").startswith("Further reading")
              and not re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]
    assert not unused, unused
