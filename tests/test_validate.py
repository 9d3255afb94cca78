"""Tests: ``seminarkit validate`` gives one precise line per problem, and never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seminarkit.content.materials import load_course, validate

MOD = "modules/mini/"

# (case id, file, old text, new text, tokens every message about it must contain)
CASES: list[tuple[str, str, str, str, list[str]]] = [
    ("bad-date", MOD + "timeline.yaml", "date: 2017-04-14", "date: 2017-13-01",
     ["timeline.yaml:", "record 'ev-1'", "field 'date'", "month"]),
    ("bad-day", MOD + "timeline.yaml", "date: 2017-04-14", "date: 2017-02-30",
     ["timeline.yaml:", "record 'ev-1'", "field 'date'", "day"]),
    ("not-a-date", MOD + "timeline.yaml", "date: 2018-11\n", "date: last autumn\n",
     ["timeline.yaml:", "record 'ev-2'", "field 'date'", "YYYY"]),
    ("unknown-source", MOD + "timeline.yaml", "sources: [src-b]", "sources: [src-zzz]",
     ["timeline.yaml:", "record 'ev-2'", "field 'sources'", "src-zzz"]),
    ("duplicate-id", MOD + "timeline.yaml", "id: ev-2", "id: ev-1",
     ["timeline.yaml:", "record 'ev-1'", "field 'id'", "duplicate"]),
    ("wrong-type-list", MOD + "actors.yaml", "interests: [Stability]", "interests: 7",
     ["actors.yaml:", "record 'russia'", "field 'interests'", "list"]),
    ("missing-field", MOD + "timeline.yaml", "    title: First event\n", "",
     ["timeline.yaml:", "record 'ev-1'", "field 'title'", "required"]),
    ("answer-not-option", MOD + "quiz.yaml", "answer: Russia\n", "answer: Brazil\n",
     ["quiz.yaml:", "record 'q-single'", "field 'answer'", "not among the options"]),
    ("multi-answer-not-option", MOD + "quiz.yaml", "answer: [India, Iran]",
     "answer: [India, Peru]",
     ["quiz.yaml:", "record 'q-multi'", "field 'answer'", "Peru"]),
    ("ordering-duplicates", MOD + "quiz.yaml", "items: [B, A]", "items: [B, B]",
     ["quiz.yaml:", "record 'q-order'", "field 'items'", "twice"]),
    ("negative-tolerance", MOD + "quiz.yaml", "tolerance: 0", "tolerance: -1",
     ["quiz.yaml:", "record 'q-num'", "field 'tolerance'", "greater than or equal"]),
    ("matching-bad-value", MOD + "quiz.yaml", "Taliban: movement}", "Taliban: party}",
     ["quiz.yaml:", "record 'q-match'", "field 'answer'", "party"]),
    ("truefalse-not-bool", MOD + "quiz.yaml", "answer: true", "answer: maybe",
     ["quiz.yaml:", "record 'q-tf'", "field 'answer'", "boolean"]),
    ("bad-difficulty", MOD + "quiz.yaml", "difficulty: hard", "difficulty: brutal",
     ["quiz.yaml:", "record 'q-order'", "field 'difficulty'", "brutal"]),
    ("missing-explanation", MOD + "quiz.yaml",
     "    explanation: Russia hosted the meeting in Moscow in April 2017.\n", "",
     ["quiz.yaml:", "record 'q-single'", "field 'explanation'", "required"]),
    ("unknown-objective", MOD + "quiz.yaml", "objective: lo1\n    block: b1",
     "objective: lo9\n    block: b1",
     ["quiz.yaml:", "record 'q-single'", "field 'objective'", "lo9"]),
    ("unknown-quiz-type", MOD + "quiz.yaml", "type: single", "type: essay",
     ["quiz.yaml:", "record 'q-single'", "field 'type'", "essay"]),
    ("csv-header-mismatch", MOD + "data/casualties.csv", "year,killed,injured",
     "year,dead,injured", ["casualties.csv:1", "record 'casualties'", "field 'columns'"]),
    ("csv-bad-int", MOD + "data/casualties.csv", "2016,3498", "2016,many",
     ["casualties.csv:2", "record 'row 2'", "field 'killed'", "'many' is not a int"]),
    ("csv-confidence-L", MOD + "data/casualties.csv", "7015,M", "7015,L",
     ["casualties.csv:3", "record 'row 3'", "field 'confidence'", "L values stay out"]),
    ("csv-row-width", MOD + "data/casualties.csv", "2016,3498,7920,H,src-a", "2016,3498",
     ["casualties.csv:2", "record 'row 2'", "2 values (expected 5)"]),
    ("csv-unknown-source", MOD + "data/casualties.csv", "src-a;src-b", "src-a;src-q",
     ["casualties.csv:3", "record 'row 3'", "field 'sources'", "src-q"]),
    ("provenance-bad-series", MOD + "data/casualties.yaml", "series: [killed, injured]",
     "series: [killed, wounded]",
     ["casualties.yaml:", "record", "field 'series'", "wounded"]),
    ("yaml-syntax", MOD + "actors.yaml", "interests: [Stability]", "interests: [Stability",
     ["actors.yaml:", "YAML syntax error"]),
    ("empty-file", MOD + "glossary.yaml", None, "",
     ["glossary.yaml", "file is empty"]),
    ("unknown-module", "course.yaml", "  - id: mini\n",
     "  - id: mini\n    notebooks: [01-overview]\n  - id: ghost\n",
     ["course.yaml:", "record 'ghost'", "field 'id'", "unknown module"]),
    ("unknown-notebook", "course.yaml", "notebooks: [01-overview, 03-timeline]",
     "notebooks: [01-overview, 09-nothing]",
     ["course.yaml:", "record 'mini'", "field 'notebooks'", "09-nothing"]),
    ("missing-notebook-file", "course.yaml", "file: 03-timeline.ipynb", "file: 03-gone.ipynb",
     ["course.yaml:", "record '03-timeline'", "field 'file'", "03-gone.ipynb"]),
    ("unknown-field", MOD + "actors.yaml", "    kind: movement\n",
     "    kind: movement\n    colour: red\n",
     ["actors.yaml:", "record 'taliban'", "field 'colour'", "unknown field"]),
    ("unknown-actor-in-event", MOD + "timeline.yaml", "actors: [russia, taliban]",
     "actors: [russia, nato]", ["timeline.yaml:", "record 'ev-2'", "field 'actors'", "nato"]),
    ("unknown-relation-target", MOD + "actors.yaml", "target: taliban", "target: isis",
     ["actors.yaml:", "record 'rel-1'", "field 'target'", "isis"]),
    ("unknown-stance-block", MOD + "actors.yaml", "block: b1", "block: b7",
     ["actors.yaml:", "record 'russia'", "field 'block'", "b7"]),
    ("unknown-category", MOD + "timeline.yaml", "category: diplomacy\n    actors: [russia]\n",
     "category: war\n    actors: [russia]\n",
     ["timeline.yaml:", "record 'ev-1'", "field 'category'", "war"]),
    ("bad-url", MOD + "sources.yaml", "url: https://example.org/b", "url: example dot org",
     ["sources.yaml:", "record 'src-b'", "field 'url'", "URL"]),
    ("plan-minutes", MOD + "module.yaml", "      - minutes: 40", "      - minutes: 45",
     ["module.yaml:", "record 'plan-60'", "field 'activities'", "65"]),
    ("unknown-thesis", MOD + "module.yaml", "tests: t1", "tests: t5",
     ["module.yaml:", "record 'dev1'", "field 'tests'", "t5"]),
    ("bad-id", MOD + "glossary.yaml", "id: term-2", "id: Term Two",
     ["glossary.yaml:", "field 'id'", "not a valid id"]),
    ("unknown-see-also", MOD + "glossary.yaml", "see_also: [term-2]", "see_also: [term-9]",
     ["glossary.yaml:", "record 'term-1'", "field 'see_also'", "term-9"]),
    ("missing-debrief-notes", MOD + "roles.yaml",
     "debrief_notes: Instructor debrief notes for the fixture role-play session.\n", "",
     ["roles.yaml:", "field 'debrief_notes'", "required"]),
    ("role-unknown-actor", MOD + "roles.yaml", "actor: taliban", "actor: hezb",
     ["roles.yaml:", "record 'role-taliban'", "field 'actor'", "hezb"]),
    ("event-ends-before-start", MOD + "timeline.yaml", "date: 2018-11\n",
     "date: 2018-11\n    end: 2018-01\n", ["timeline.yaml:", "record 'ev-2'", "field 'end'"]),
    ("top-level-list", MOD + "glossary.yaml", None, "- just\n- a list\n",
     ["glossary.yaml:1", "expected a mapping"]),
    # Fail closed (issue 21): what the validator used to accept or crash on.
    ("duplicate-key", MOD + "glossary.yaml", "    definition: Regional consultations.\n",
     "    definition: Regional consultations.\n    definition: Something else.\n",
     ["glossary.yaml:5:", "record 'term-1'", "field 'definition'", "duplicate key (also on line 4"]),
    ("duplicate-top-level-key", MOD + "glossary.yaml", None,
     "terms: []\nterms: []\n", ["glossary.yaml:2:", "field 'terms'", "duplicate key"]),
    ("year-0000", MOD + "timeline.yaml", "date: 2017-04-14", "date: 0000-04-14",
     ["timeline.yaml:", "record 'ev-1'", "field 'date'", "year 0000"]),
    ("not-a-leap-year", MOD + "timeline.yaml", "date: 2017-04-14", "date: 2017-02-29",
     ["timeline.yaml:", "record 'ev-1'", "field 'date'", "day 29 (expected 01-28)"]),
    ("non-ascii-digits-date", MOD + "timeline.yaml", "date: 2017-04-14", "date: ٢٠١٧-04-14",
     ["timeline.yaml:", "record 'ev-1'", "field 'date'", "is not a date"]),
    ("csv-negative-count", MOD + "data/casualties.csv", "2016,3498", "2016,-3498",
     ["casualties.csv:2", "record 'row 2'", "field 'killed'", "below the column's minimum 0"]),
    ("csv-declared-maximum", MOD + "data/casualties.yaml", "{name: injured, type: int}",
     "{name: injured, type: int, maximum: 7500}",
     ["casualties.csv:2", "record 'row 2'", "field 'injured'", "above the column's maximum 7500"]),
    ("csv-declared-minimum", MOD + "data/casualties.yaml", "{name: year, type: int}",
     "{name: year, type: int, minimum: 2017}",
     ["casualties.csv:2", "record 'row 2'", "field 'year'", "below the column's minimum 2017"]),
    ("range-on-text-column", MOD + "data/casualties.yaml", "{name: confidence, type: str}",
     "{name: confidence, type: str, minimum: 0}",
     ["casualties.yaml:", "field 'minimum'", "not str"]),
    ("range-inverted", MOD + "data/casualties.yaml", "{name: killed, type: int}",
     "{name: killed, type: int, minimum: 10, maximum: 5}",
     ["casualties.yaml:", "field 'maximum'", "below minimum"]),
    ("range-infinite", MOD + "data/casualties.yaml", "{name: killed, type: int}",
     "{name: killed, type: int, maximum: .inf}",
     ["casualties.yaml:", "field 'maximum'", "finite"]),
    ("csv-duplicate-x", MOD + "data/casualties.csv", "2017,3438", "2016,3438",
     ["casualties.csv:3", "record 'row 3'", "field 'year'", "duplicate x value 2016 (also on row 2"]),
    ("csv-underscore-number", MOD + "data/casualties.csv", "2016,3498", "2016,3_498",
     ["casualties.csv:2", "record 'row 2'", "field 'killed'", "'3_498' is not a int"]),
    ("csv-non-ascii-digits", MOD + "data/casualties.csv", "2016,3498", "2016,٣٤٩٨",
     ["casualties.csv:2", "record 'row 2'", "field 'killed'", "is not a int"]),
    ("csv-binary", MOD + "data/casualties.csv", "2017,3438", "2017,\x00\x01\x02",
     ["casualties.csv:3:", "record 'casualties'", "not a text file"]),
    ("yaml-binary", MOD + "glossary.yaml", None, "terms:\n\x00\x01\x02\x03",
     ["glossary.yaml:2:", "not a text file"]),
    ("see-also-itself", MOD + "glossary.yaml", "see_also: [term-2]", "see_also: [term-1]",
     ["glossary.yaml:5:", "record 'term-1'", "field 'see_also'", "refers to itself"]),
    ("see-also-twice", MOD + "glossary.yaml", "see_also: [term-2]", "see_also: [term-2, term-2]",
     ["glossary.yaml:5:", "record 'term-1'", "field 'see_also'", "listed twice"]),
    ("relation-to-itself", MOD + "actors.yaml", "target: taliban", "target: russia",
     ["actors.yaml:20:", "record 'rel-1'", "field 'target'", "to itself"]),
    ("module-links-itself", MOD + "module.yaml", "based_on: Fixture text.\n",
     "based_on: Fixture text.\nlinks:\n  - {module: mini, theme: Self, text: Loop.}\n",
     ["module.yaml:", "record 'links[0]'", "field 'module'", "links to itself"]),
    ("numeric-answer-nan", MOD + "quiz.yaml", "answer: 11", "answer: .nan",
     ["quiz.yaml:33:", "record 'q-num'", "field 'answer'", "finite number"]),
    ("numeric-answer-inf", MOD + "quiz.yaml", "answer: 11", "answer: -.inf",
     ["quiz.yaml:33:", "record 'q-num'", "field 'answer'", "finite number"]),
    ("tolerance-inf", MOD + "quiz.yaml", "tolerance: 0", "tolerance: .inf",
     ["quiz.yaml:34:", "record 'q-num'", "field 'tolerance'", "finite number"]),
    ("points-inf", MOD + "quiz.yaml", "tolerance: 0", "tolerance: 0\n    points: .inf",
     ["quiz.yaml:35:", "record 'q-num'", "field 'points'", "finite number"]),
    ("points-nan", MOD + "quiz.yaml", "tolerance: 0", "tolerance: 0\n    points: .NaN",
     ["quiz.yaml:35:", "record 'q-num'", "field 'points'", "finite number"]),
    ("cyrillic-in-id", MOD + "glossary.yaml", "id: term-2", "id: term-\u0430",
     ["glossary.yaml:", "record 'term-\u0430'", "field 'id'", "ASCII only"]),
    ("cyrillic-in-reference", MOD + "glossary.yaml", "see_also: [term-2]",
     "see_also: [term-\u0430]", ["glossary.yaml:5:", "record 'term-1'", "field 'see_also'",
                                 "ASCII only"]),
    ("alias-bomb", MOD + "glossary.yaml", None,
     "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" if i else "l0: &l0 [x]\n"
             for i in range(12)) + "terms: *l11\n",
     ["glossary.yaml:", "alias bomb"]),
    ("recursive-alias", MOD + "glossary.yaml", None, "terms: &t\n  - *t\n",
     ["glossary.yaml:1:", "recursive alias"]),
    ("recursive-mapping-alias", MOD + "glossary.yaml", None, "terms: &t {a: *t}\n",
     ["glossary.yaml:1:", "recursive alias"]),
    ("nested-too-deep", MOD + "glossary.yaml", None, "terms: " + "[" * 200 + "]" * 200 + "\n",
     ["glossary.yaml:1:", "nested more than 64 levels"]),
    ("yaml-control-character-in-string", MOD + "glossary.yaml", "Moscow format",
     "Moscow\x1bformat", ["glossary.yaml:3:", "not a text file"]),
]


def _apply(materials: Path, rel: str, old: str | None, new: str) -> None:
    path = materials / rel
    if old is None:
        path.write_text(new, encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_fixture_kit_is_valid(mini_kit: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = run_cli("validate", "--materials", str(mini_kit))
    assert (code, err) == (0, "")
    assert "materials OK" in out


@pytest.mark.parametrize(("rel", "old", "new", "tokens"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_malformed_materials_give_precise_one_line_errors(
    mini_kit: Path, run_cli: Callable[..., tuple[int, str, str]],
    rel: str, old: str | None, new: str, tokens: list[str],
) -> None:
    _apply(mini_kit, rel, old, new)
    code, out, err = run_cli("validate", "--materials", str(mini_kit))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[-1].endswith("fix them and run 'seminarkit validate' again.")
    matching = [line for line in lines[:-1] if all(tok in line for tok in tokens)]
    assert matching, f"no line has all of {tokens}:\n{err}"


def test_all_problems_are_reported_at_once(
    mini_kit: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    _apply(mini_kit, MOD + "timeline.yaml", "date: 2017-04-14", "date: 2017-13-01")
    _apply(mini_kit, MOD + "quiz.yaml", "answer: Russia\n", "answer: Brazil\n")
    _apply(mini_kit, MOD + "data/casualties.csv", "7015,M", "7015,L")
    code, _, err = run_cli("validate", "--materials", str(mini_kit))
    assert code == 2
    assert "3 problem(s) found" in err


def test_yaml_syntax_error_names_the_line(
    mini_kit: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    path = mini_kit / MOD / "actors.yaml"
    lines = path.read_text().splitlines()
    broken = next(i for i, line in enumerate(lines) if "interests" in line)
    lines[broken] = "    interests: [Stability"
    path.write_text("\n".join(lines) + "\n")
    _, _, err = run_cli("validate", "--materials", str(mini_kit))
    first = err.splitlines()[0]
    reported = int(first.split("actors.yaml:")[1].split(":")[0])
    assert abs(reported - (broken + 1)) <= 2


def test_dates_keep_their_precision(mini_kit: Path) -> None:
    course = load_course(mini_kit)
    events = {e.id: e for e in course.module("mini").timeline.events}  # type: ignore[union-attr]
    assert str(events["ev-1"].date) == "2017-04-14"
    assert str(events["ev-2"].date) == "2018-11"
    assert events["ev-2"].date.precision == "month"


def test_unknown_module_lookup_lists_choices(mini_kit: Path) -> None:
    from seminarkit.errors import UnknownChoiceError

    course = load_course(mini_kit)
    with pytest.raises(UnknownChoiceError, match="choose one of: mini"):
        course.module("nope")


def test_missing_materials_folder_is_one_line(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    code, _, err = run_cli("validate", "--materials", str(tmp_path / "nowhere"))
    assert code == 2
    assert "missing course.yaml" in err
    assert "Traceback" not in err


def test_real_materials_validate_cleanly(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = run_cli("validate")
    assert err == ""
    assert code == 0
    assert "afghanistan-2018" in out


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.text(max_size=20))
_yaml_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["id", "date", "title", "text", "events", "categories",
                                 "sources", "actors", "label", "category", "x"]) | st.text(max_size=8),
                                inner, max_size=5)),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=200), _yaml_values.map(lambda v: yaml.safe_dump(v))))
def test_arbitrary_yaml_never_raises_a_traceback(mini_kit: Path, text: str) -> None:
    for name in ("timeline.yaml", "module.yaml"):
        target = mini_kit / MOD / name
        original = target.read_text()
        target.write_text(text, encoding="utf-8")
        try:
            course, problems = validate(mini_kit)  # must not raise
        finally:
            target.write_text(original)
        assert problems or course is not None
        for problem in problems:
            assert str(problem).startswith(str(mini_kit))
