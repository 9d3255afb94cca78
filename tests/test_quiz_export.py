"""GIFT, CSV and JSON exports: escaping round-trips, structure, and the real question banks."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seminarkit.content.materials import load_course
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.export import FORMATS, export_quiz, gift_escape
from test_quiz_helpers import demo_module, demo_student, make

SPECIALS = "~=#{}:"
UNESCAPE = {"\\": "\\", "n": "\n", **{c: c for c in SPECIALS}}


def gift_unescape(text: str) -> str:
    """Undo GIFT escaping; an unescaped special character or raw newline is an error."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt not in UNESCAPE:
                raise ValueError(f"bad escape \\{nxt!r} at {i}")
            out.append(UNESCAPE[nxt])
            i += 2
            continue
        if ch in SPECIALS or ch in "\r\n":
            raise ValueError(f"unescaped {ch!r} at {i}")
        out.append(ch)
        i += 1
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\\~=#{}:\n\r ")))
def test_gift_escaping_round_trips(text: str) -> None:
    escaped = gift_escape(text)
    assert gift_unescape(escaped) == text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize(("raw", "escaped"), [
    ("a:b", "a\\:b"), ("{x}", "\\{x\\}"), ("1 = 2 ~ #3", "1 \\= 2 \\~ \\#3"),
    ("line\nnext", "line\\nnext"), ("back\\slash", "back\\\\slash"), ("\\n", "\\\\n")])
def test_gift_escape_examples(raw: str, escaped: str) -> None:
    assert gift_escape(raw) == escaped


def _unescaped(text: str, char: str, *, last: bool = False) -> int:
    """Index of the first (or last) occurrence of ``char`` not escaped by a backslash."""
    found, i = -1, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            found = i
            if not last:
                return i
        i += 1
    return found


def lint_block(block: str) -> None:
    """Check one GIFT question: every text part unescapes cleanly under the rules above."""
    comment, rest = block.split("\n", 1)
    assert comment.startswith("// ")
    title_end = rest.index("::", 2)
    gift_unescape(rest[2:title_end])
    body = rest[title_end + 2:]
    start, end = _unescaped(body, "{"), _unescaped(body, "}", last=True)
    assert 0 <= start < end == len(body) - 1, block
    gift_unescape(body[:start])
    inner = body[start + 1:end]
    answers, _, feedback = inner.partition("####")
    gift_unescape(feedback.rstrip("\n"))
    if re.fullmatch(r"[TF]|#-?[\d.]+:[\d.]+", answers):
        return
    for line in answers.strip("\n").splitlines():
        text = re.sub(r"^[=~](%-?[\d.]+%)?", "", line)
        assert text != line, line
        for part in text.split(" -> "):
            gift_unescape(part.strip())


def _blocks(gift: str) -> dict[str, str]:
    blocks = {}
    for block in gift.strip().split("\n\n"):
        match = re.search(r"^::(.+?)::", block, re.M)
        assert match is not None, block
        blocks[gift_unescape(match.group(1))] = block
        lint_block(block)
    return blocks


def _demo_gift() -> dict[str, str]:
    module = demo_module()
    return _blocks(export_quiz(module.quiz.questions, "gift", module_id="demo",
                               sources=module.sources))


def _answer_lines(block: str) -> list[str]:
    return [line for line in block.splitlines()[2:-1] if not line.startswith("####")]


def test_gift_single_choice_prompt_is_escaped_and_one_answer_is_right() -> None:
    block = _demo_gift()["q-single"]
    prompt = block.splitlines()[1].removeprefix("::q-single::").removesuffix("{")
    assert gift_unescape(prompt) == 'Which city hosted the talks {in format "x = y"} #1: A~B \\ C?'
    lines = _answer_lines(block)
    assert [line for line in lines if line.startswith("=")] == ["=Tashkent"]
    assert len(lines) == 4
    feedback = block.splitlines()[-2]
    assert feedback.startswith("####SECRET-EXPLANATION-SINGLE")
    assert "https\\://example.org/a" in feedback


def test_gift_multiple_answer_weights_sum_to_100() -> None:
    lines = _answer_lines(_demo_gift()["q-multiple"])
    weights = {line.split("%")[2]: float(line.split("%")[1]) for line in lines}
    assert sum(w for w in weights.values() if w > 0) == pytest.approx(100, abs=1e-3)
    assert weights["Kazakhstan"] == weights["Mongolia"] == pytest.approx(-100 / 3, abs=1e-4)


@pytest.mark.parametrize(("qid", "expected"), [
    ("q-tf", "{F####PUBLIC-EXPLANATION-TF"),
    ("q-numeric", "(in year){#1979:1####"),
    ("q-rel", "(in million){#12.5:1.25####"),  # 10 % of 12.5
])
def test_gift_true_false_and_numeric(qid: str, expected: str) -> None:
    assert expected in _demo_gift()[qid]


def test_gift_short_answer_matching_and_ordering() -> None:
    gift = _demo_gift()
    assert _answer_lines(gift["q-text"]) == ["=Dushanbe", "=Douchanbé", "=Douchanbe"]
    assert _answer_lines(gift["q-match"]) == [
        "=Russia -> Talks with all sides", "=Iran -> Backs the government",
        "=Pakistan -> Hosts leaders", "= -> Stays out"]
    assert _answer_lines(gift["q-order"]) == [
        "=Event one -> 1", "=Event two -> 2", "=Event three -> 3", "=Event four -> 4"]


def test_csv_and_json_exports_of_the_fixture() -> None:
    module = demo_module()
    rows = list(csv.DictReader(io.StringIO(export_quiz(module.quiz.questions, "csv",
                                                       module_id="demo"))))
    by_id = {row["id"]: row for row in rows}
    assert by_id["q-numeric"]["answer"] == "1979 ± 1 year"
    assert by_id["q-match"]["left"] == "Russia | Iran | Pakistan"
    assert by_id["q-tf"]["show_explanation"] == "yes"
    data = json.loads(export_quiz(module.quiz.questions, "json", module_id="demo"))
    assert data["module"] == "demo"
    assert [q["id"] for q in data["questions"]] == list(by_id)
    assert data["questions"][0]["answer"] == "Tashkent"


@pytest.mark.parametrize(("questions", "fmt", "message"), [
    ([make("matching", left=["a -> b", "c"], options=["x", "y"],
           answer={"a -> b": "x", "c": "y"})], "gift", "cannot escape"),
    ("student", "gift", "instructor edition"),
    ("student", "csv", "instructor edition"),
    ("student", "json", "instructor edition"),
    ([], "gift", "no quiz questions"),
    ("demo", "qti", "unknown export format"),
])
def test_export_errors(questions: Any, fmt: str, message: str) -> None:
    if questions == "student":
        questions = demo_student().quiz.questions
    elif questions == "demo":
        questions = demo_module().quiz.questions
    with pytest.raises(QuizError, match=message):
        export_quiz(questions, fmt, module_id="demo")


def test_real_afghanistan_bank_exports_every_question() -> None:
    module = load_course().module("afghanistan-2018")
    assert module.quiz is not None, "afghanistan-2018 has no quiz.yaml"
    ids = [q.id for q in module.quiz.questions]
    assert ids, "the afghanistan-2018 question bank is empty"
    gift = export_quiz(module.quiz.questions, "gift", module_id=module.id,
                       sources=module.sources)
    assert list(_blocks(gift)) == ids
    rows = csv.DictReader(io.StringIO(export_quiz(module.quiz.questions, "csv",
                                                  module_id=module.id)))
    assert [row["id"] for row in rows] == ids
    data = json.loads(export_quiz(module.quiz.questions, "json", module_id=module.id))
    assert [q["id"] for q in data["questions"]] == ids


def test_every_module_bank_exports_in_every_format() -> None:
    for module in load_course().modules.values():
        if module.quiz is None:
            continue
        for fmt in FORMATS:
            assert export_quiz(module.quiz.questions, fmt, module_id=module.id,
                               sources=module.sources)
