"""The source policy and cross-references: what validate refuses, and what students then see."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from seminarkit.content.materials import Module, load_course
from seminarkit.content.policy import refused_reason
from seminarkit.content.xrefs import labels
from seminarkit.editions import STUDENT, module_for_edition

MOD = "modules/mini/"
SEED = Path(__file__).parent / "fixtures" / "seed" / "ifri-summary-page.txt"  # the commissioning page
REPO = Path(__file__).resolve().parents[1]

# (case id, file, old text, new text, tokens the message must contain)
CASES: list[tuple[str, str, str, str, list[str]]] = [
    ("kind-missing", MOD + "sources.yaml", "    kind: press\n", "",
     ["sources.yaml:", "record 'src-b'", "field 'kind'", "required"]),
    ("kind-unknown", MOD + "sources.yaml", "kind: press", "kind: blog",
     ["sources.yaml:", "record 'src-b'", "field 'kind'", "blog"]),
    ("sharing-site-copy", MOD + "sources.yaml", "https://example.org/b", "https://www.scribd.com/document/1/x",
     ["record 'src-b'", "field 'url'", "scribd.com is a copy of someone else's document"]),
    ("mirror-wiki", MOD + "sources.yaml", "https://example.org/b", "https://en.m.wikipedia.org/wiki/Taliban",
     ["record 'src-b'", "field 'url'", "wikipedia.org is a wiki or a mirror of one"]),
    ("content-farm", MOD + "sources.yaml", "https://example.org/b", "https://www.latestly.com/x.html",
     ["record 'src-b'", "field 'url'", "content farm or aggregator"]),
    ("anonymous-blog", MOD + "sources.yaml", "https://example.org/b", "https://someone.blogspot.com/2020/x",
     ["record 'src-b'", "field 'url'", "anonymous or self-published blog"]),
    ("pamphlet", MOD + "sources.yaml", "https://example.org/b", "https://larouchepub.com/pr/2017/x.html",
     ["record 'src-b'", "field 'url'", "political pamphlet"]),
    ("state-media-unlabelled", MOD + "sources.yaml", "https://example.org/b", "https://tass.com/politics/1",
     ["record 'src-b'", "field 'state_media'", "tass.com is state media"]),
    ("state-media-without-note", MOD + "sources.yaml", "    kind: press\n", "    kind: press\n    state_media: true\n",
     ["record 'src-b'", "field 'note'", "which official statement"]),
    ("dataset-without-primary", MOD + "data/casualties.yaml", "sources: [src-a]", "sources: [src-b]",
     ["casualties.yaml:", "record 'casualties'", "field 'sources'", "no primary source"]),
    ("xref-unknown-id", MOD + "module.yaml", "Something happened.", "Something happened ([[thesis:t9]]).",
     ["module.yaml:", "record 'dev1'", "field 'text'", "no thesis with id 't9'"]),
    ("xref-unknown-kind", MOD + "module.yaml", "Something happened.", "It happened ([[chapter:c1]]).",
     ["module.yaml:", "record 'dev1'", "field 'text'", "unknown cross-reference kind 'chapter'"]),
    ("xref-malformed", MOD + "module.yaml", "Something happened.", "It happened ([[t1]]).",
     ["module.yaml:", "record 'dev1'", "field 'text'", "malformed cross-reference '[[t1]]'"]),
    ("raw-id-in-student-text", MOD + "module.yaml", "prompt: Did it hold?", "prompt: Did t1 hold?",
     ["module.yaml:", "record 'dev1'", "field 'prompt'", "raw internal id 't1'", "[[thesis:t1]]"]),
    ("raw-id-in-a-quiz-prompt", MOD + "quiz.yaml", "prompt: Who hosted?", "prompt: As dev1 shows, who hosted?",
     ["quiz.yaml:", "field 'prompt'", "raw internal id 'dev1'", "[[development:dev1]]"]),
]


def _apply(kit: Path, rel: str, old: str, new: str) -> None:
    path = kit / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("rel", "old", "new", "tokens"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_policy_violations_are_one_precise_line_each(
    mini_kit: Path, run_cli: Callable[..., tuple[int, str, str]], rel: str, old: str, new: str, tokens: list[str],
) -> None:
    _apply(mini_kit, rel, old, new)
    code, out, err = run_cli("validate", "--materials", str(mini_kit))
    assert (code, out) == (2, "")
    lines = err.strip().splitlines()
    assert lines[-1] == "1 problem(s) found; fix them and run 'seminarkit validate' again.", err
    assert all(tok in lines[0] for tok in tokens), lines[0]


def test_raw_ids_in_instructor_only_text_and_file_names_are_fine(
    mini_kit: Path, run_cli: Callable[..., tuple[int, str, str]],
) -> None:
    _apply(mini_kit, MOD + "module.yaml", "notes: Instructor notes", "notes: Compare t1 with dev1; instructor notes")
    _apply(mini_kit, MOD + "module.yaml", "description: Discuss.", "description: Discuss data/t1.csv.")
    code, _, err = run_cli("validate", "--materials", str(mini_kit))
    assert code == 0, err


def test_cross_references_render_as_labels_everywhere(mini_kit: Path) -> None:
    _apply(mini_kit, MOD + "module.yaml", "prompt: Did it hold?",
           "prompt: 'Did [[thesis:t1]] hold, as [[source:src-b]] says?'")
    _apply(mini_kit, MOD + "quiz.yaml", "prompt: Who hosted?", "prompt: After [[development:dev1]], who hosted?")
    module = load_course(mini_kit).module("mini")
    assert module.meta.after_report[0].prompt == "Did Thesis 1 hold, as Publisher B, Source B says?"
    question = next(q for q in module.quiz.questions if q.id == "q-single")  # type: ignore[union-attr]
    assert question.prompt == "After A development (29 February 2020), who hosted?"
    student = module_for_edition(module, STUDENT)
    assert "[[" not in repr(student)


def test_seal_and_labels_cover_every_kind(mini_kit: Path) -> None:
    found = labels(load_course(mini_kit).module("mini"))
    assert set(found) == {"thesis", "block", "objective", "development", "source", "dataset", "actor", "event",
                          "term", "role"}
    assert found["thesis"] == {"t1": "Thesis 1"}


@pytest.mark.parametrize(("url", "reason"), [
    ("https://docslib.org/doc/1/x", "a copy of someone else's document on a sharing site"),
    ("https://WWW.Scribd.com./doc", "a copy of someone else's document on a sharing site"),
    ("https://fr.wikipedia.org/wiki/X", "a wiki or a mirror of one"),
    ("https://unama.unmissions.org/x", None),
    ("https://www.reuters.com/world/x", None),
    ("https://notscribd.com/x", None),
])
def test_refused_domains_match_the_host_not_a_substring(url: str, reason: str | None) -> None:
    assert refused_reason(url) == reason


# -- the real materials ------------------------------------------------------------------------

# Names and titles are quoted by nature: an institute's name or a work's title is not copied prose.
NAMES = {"title", "short_title", "citation", "affiliation", "publisher", "name"}


def _student_texts(module: Module) -> list[str]:
    from seminarkit.content.xrefs import _texts

    student = module_for_edition(module, STUDENT)
    parts = [student.meta, student.timeline, student.actors, student.glossary, student.quiz, student.roles]
    return [text for part in parts if part is not None for _, field, text, _ in _texts(part, ()) if field not in NAMES]


def _words(text: str) -> list[str]:
    unquoted = re.sub(r"[\"“«][^\"”»]*[\"”»]", " ", text)
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", unquoted.lower().replace("’", "'"))


def test_no_twelve_word_run_of_the_seed_page_unless_quoted() -> None:
    seed = _words(SEED.read_text(encoding="utf-8"))
    runs = {tuple(seed[i:i + 12]) for i in range(len(seed) - 11)}
    offenders = []
    for module in load_course().modules.values():
        for text in [*_student_texts(module), module.meta.based_on, module.meta.summary]:
            words = _words(text)
            for i in range(len(words) - 11):
                if tuple(words[i:i + 12]) in runs:
                    offenders.append(f"{module.id}: ...{' '.join(words[i:i + 12])}...")
    assert offenders == []


def test_the_overlap_check_would_catch_a_copied_sentence() -> None:
    seed = _words(SEED.read_text(encoding="utf-8"))
    copied = "It argues that none of Russia's Afghanistan-related concerns can be alleviated as long as"
    quoted = f"The report says “{copied}”."
    assert any(tuple(_words(copied)[i:i + 12]) in {tuple(seed[j:j + 12]) for j in range(len(seed) - 11)}
               for i in range(len(_words(copied)) - 11))
    assert len(_words(quoted)) < 12


@pytest.mark.parametrize("module_id", sorted(p.name for p in (REPO / "materials" / "modules").iterdir()))
def test_every_bank_reserves_exam_questions_and_keeps_practice_for_every_block(module_id: str) -> None:
    """Graded exams draw from ``exam_only`` questions, whose keys no student edition or kit holds.

    A bank without them would make exam keys the practice keys students carry (hashes that fall
    to brute force). Twelve reserved questions let a 10-question exam vary between students, and
    every block keeps practice questions for the walkthrough.
    """
    import yaml

    raw = yaml.safe_load((REPO / "materials" / "modules" / module_id / "quiz.yaml").read_text(encoding="utf-8"))
    questions = raw["questions"]
    reserved = [q["id"] for q in questions if q.get("exam_only")]
    assert len(reserved) >= 12, (module_id, reserved)
    blocks = {q["block"] for q in questions if q.get("block")}
    for block in blocks:
        practice = [q for q in questions if q.get("block") == block and not q.get("exam_only")]
        assert practice, f"{module_id}: block {block} has no practice question left"
