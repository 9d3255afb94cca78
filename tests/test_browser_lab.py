"""The kit's notebooks in a real JupyterLab, driven by headless Chromium (issue 9, scenarios 1-3).

One JupyterLab server per module, on 127.0.0.1 with a random port and a token, serving a temp
copy of notebooks/ (06-quiz switched to exam mode there, 01-overview and 07-simulation to the
instructor edition so that their tables show); every page opens with ``?reset``. Besides
scenarios 1-3, every notebook's outputs must read in JupyterLab's output area (issue 15): each
glossary term beside its definition on the same row, no text cell right-aligned, nothing wider
than its output area, no figure cut, and no axe-core violation of impact moderate or worse.
Screenshots go to test-results/screenshots/ (git-ignored; never under build/). See
tests/browser_support.py for when these tests skip.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import (
    MATERIALS,
    NOTEBOOKS,
    LabServer,
    axe_violations,
    broken_images,
    chromium_browser,
    error_outputs,
    format_violations,
    illegible_options,
    layout_problems,
    open_notebook,
    require_axe,
    require_chromium,
    run_all,
    screenshot,
    set_parameters,
)

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.slow, pytest.mark.timeout(300)]

MODULE = "afghanistan-2018"
EXAM_SEED = 0
EXAM_N = 10


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    require_chromium()  # no point starting a server the browser cannot reach
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.responses.json"))
    set_parameters(root / "06-quiz.ipynb", mode="exam", n_questions=EXAM_N, seed=EXAM_SEED)
    for notebook in ("01-overview.ipynb", "07-simulation.ipynb"):
        set_parameters(root / notebook, edition="instructor")
    server = LabServer(root=root, home=home)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any, lab: LabServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(60_000)
    pg = context.new_page()
    failed = request.session.testsfailed
    try:
        yield pg
    finally:
        if request.session.testsfailed > failed:
            screenshot(pg, f"FAILED-{request.node.name}")
        context.close()


def _instructor_module() -> Any:
    from seminarkit.content.materials import load_course

    return load_course(MATERIALS).module(MODULE)


def _block_selection(module: Any, per_block: int = 3, seed: int = 0) -> list[Any]:
    """Return the practice questions 02-walkthrough shows, block by block (as block_questions)."""
    from seminarkit.quiz.select import select_questions

    chosen: list[Any] = []
    for blk in module.meta.blocks:
        available = sum(q.block == blk.id and not q.exam_only for q in module.quiz.questions)
        if available:
            chosen += select_questions(module.quiz, n=min(per_block, available), seed=seed,
                                       blocks=[blk.id], pool="practice")
    return chosen


def _choice_label(question: Any, right: bool) -> str:
    """Return the radio label that answers a single/true-false question rightly or wrongly."""
    if question.type == "truefalse":
        return "True" if bool(question.answer) == right else "False"
    if right:
        return str(question.answer)
    return next(opt for opt in question.options if opt != question.answer)


def _question_box(page: Any, question_id: str) -> Any:
    from seminarkit.quiz.common import css_id

    box = page.locator(f".seminarkit-question.{css_id(question_id)}")
    assert box.count() == 1, f"expected one widget for question {question_id}, found {box.count()}"
    return box


# -- scenario 1 -------------------------------------------------------------------------------------
def test_walkthrough_runs_and_practice_feedback(page: Any, lab: LabServer) -> None:
    module = _instructor_module()
    questions = _block_selection(module)
    choice = [q for q in questions if q.type in ("single", "truefalse")]
    assert len(choice) >= 2, "02-walkthrough needs two single-choice or true/false practice questions"
    right_q, wrong_q = choice[0], choice[1]

    open_notebook(page, lab, "02-walkthrough.ipynb")
    run_all(page)
    screenshot(page, "1-walkthrough-run-all")

    assert error_outputs(page) == [], "02-walkthrough wrote errors or warnings"
    figures = page.locator(".jp-OutputArea-output .seminarkit-figure img")
    assert figures.count() >= 1, "no figure in 02-walkthrough"
    for index in range(figures.count()):
        figures.nth(index).scroll_into_view_if_needed()
        assert figures.nth(index).is_visible()
    assert broken_images(page, ".seminarkit-figure") == []

    quizzes = page.locator(".seminarkit-quiz.seminarkit-quiz-practice")
    blocks = {q.block for q in questions}
    assert quizzes.count() == len(blocks), "one practice widget per block with questions"
    assert page.locator(".seminarkit-quiz .seminarkit-question").count() == len(questions)
    assert illegible_options(page, ".seminarkit-quiz") == [], "answer options overflow their rows"

    for question, right, expected in [(right_q, True, r"^\s*Correct"), (wrong_q, False, r"^\s*Not quite")]:
        box = _question_box(page, question.id)
        box.scroll_into_view_if_needed()
        box.get_by_role("radio", name=_choice_label(question, right), exact=True).check()
        box.locator(".seminarkit-check").click()
        feedback = box.locator(".seminarkit-feedback")
        from playwright.sync_api import expect

        expect(feedback).to_have_text(re.compile(expected), timeout=20_000)
        screenshot(page, f"1-walkthrough-{'right' if right else 'wrong'}-{question.id}", box)
    assert error_outputs(page) == []
    assert_outputs_read(page, "walkthrough")
    glossary = page.locator(f"{OUTPUTS} dl.seminarkit-glossary")
    assert glossary.locator("dt").count() >= 5, "no glossary in 02-walkthrough"
    glossary.scroll_into_view_if_needed()
    screenshot(page, "1-walkthrough-glossary", glossary)


# -- scenario 2 -------------------------------------------------------------------------------------
_IMG = ".seminarkit-timeline-explorer .seminarkit-explorer-output .seminarkit-figure img"


def _figure_digest(page: Any) -> str:
    src = page.locator(_IMG).first.get_attribute("src") or ""
    return hashlib.sha256(src.encode()).hexdigest()


def test_timeline_years_redraw_figure(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    open_notebook(page, lab, "03-timeline.ipynb")
    run_all(page)
    explorer = page.locator(".seminarkit-timeline-explorer")
    expect(page.locator(_IMG)).to_have_count(1, timeout=30_000)
    explorer.scroll_into_view_if_needed()
    assert error_outputs(page) == []
    assert broken_images(page, ".seminarkit-timeline-explorer") == []
    first_year = explorer.locator(".seminarkit-years select").first
    years_before = int(first_year.input_value())
    before = _figure_digest(page)
    alt_before = page.locator(_IMG).first.get_attribute("alt")
    screenshot(page, "2-timeline-before", explorer)

    # The first year is a labelled drop-down (a range slider's handles have no accessible name).
    options = [int(v) for v in first_year.locator("option").all_inner_texts()]
    start = next(y for y in options if y >= years_before + 5)
    first_year.select_option(label=str(start))
    end = int(explorer.locator(".seminarkit-years select").nth(1).input_value())
    caption = explorer.locator(".seminarkit-explorer-output .seminarkit-figure figcaption")
    expect(caption).to_contain_text(f"timeline {start}–{end}", timeout=30_000)
    expect(page.locator(_IMG)).to_have_count(1)
    page.wait_for_function(
        "(sel) => { const img = document.querySelector(sel);"
        " return img && img.complete && img.naturalWidth > 0; }", arg=_IMG)
    after = _figure_digest(page)
    screenshot(page, "2-timeline-after", explorer)
    assert after != before, "the figure did not change when the year range changed"
    assert page.locator(_IMG).first.get_attribute("alt") != alt_before, \
        "the alt text should describe the narrower range"
    assert broken_images(page, ".seminarkit-timeline-explorer") == []
    assert error_outputs(page) == []
    table = page.locator(f"{OUTPUTS} table.seminarkit-events")
    assert table.locator("tbody tr").count() >= 10
    assert_outputs_read(page, "timeline")
    table.scroll_into_view_if_needed()
    screenshot(page, "2-timeline-event-table", page)


# -- scenario 3 -------------------------------------------------------------------------------------
def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _answer_in_browser(box: Any, question: Any) -> Any:
    """Answer ``question`` rightly through its widgets; return what the responses file should hold."""
    kind = question.type
    if kind in ("single", "truefalse"):
        box.get_by_role("radio", name=_choice_label(question, True), exact=True).check()
        return question.answer if kind == "single" else bool(question.answer)
    if kind == "multiple":
        for option in question.answer:
            box.get_by_role("checkbox", name=option, exact=True).check()
        return sorted(question.answer)
    if kind == "numeric":
        text = _number_text(question.answer)
        box.locator(".seminarkit-numeric input").fill(text)
        return text
    if kind == "text":
        box.locator(".seminarkit-text input").fill(question.answer[0])
        return question.answer[0]
    if kind == "ordering":
        selects = box.locator(".seminarkit-position select")
        for index, item in enumerate(question.answer):
            selects.nth(index).select_option(label=item)
        return list(question.answer)
    if kind == "matching":
        selects = box.locator(".seminarkit-match select")
        for index, left in enumerate(question.left):
            selects.nth(index).select_option(label=question.answer[left])
        return dict(question.answer)
    raise AssertionError(f"no browser driver for question type {kind!r}")


def test_exam_quiz_saves_responses(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    from seminarkit.quiz.scoring import score_responses
    from seminarkit.quiz.select import select_questions

    module = _instructor_module()
    questions = list(select_questions(module.quiz, n=EXAM_N, seed=EXAM_SEED, pool="exam"))
    responses = lab.root / f"{MODULE}-quiz.responses.json"
    responses.unlink(missing_ok=True)

    open_notebook(page, lab, "06-quiz.ipynb")
    run_all(page)
    expect(page.locator(".seminarkit-quiz.seminarkit-quiz-exam")).to_have_count(1)
    assert page.locator(".seminarkit-quiz .seminarkit-check").count() == 0, "exam mode has no Check"
    assert illegible_options(page, ".seminarkit-quiz") == [], "answer options overflow their rows"
    assert error_outputs(page) == []

    expected: dict[str, Any] = {}
    for question in questions:
        box = _question_box(page, question.id)
        box.scroll_into_view_if_needed()
        expected[question.id] = _answer_in_browser(box, question)
    page.locator(".seminarkit-quiz .seminarkit-save").click()
    status = page.locator(".seminarkit-quiz .seminarkit-status")
    expect(status).to_contain_text(f"Saved {len(questions)} of {len(questions)} answers", timeout=20_000)
    screenshot(page, "3-quiz-exam-saved", page.locator(".seminarkit-quiz"))

    assert responses.is_file(), f"no {responses.name} in {lab.root}: {sorted(p.name for p in lab.root.iterdir())}"
    data = json.loads(responses.read_text(encoding="utf-8"))
    assert data["quiz_id"] == f"{MODULE}-quiz"
    assert data["questions"] == [q.id for q in questions]
    types = {q.id: q.type for q in questions}
    saved = {qid: sorted(v) if types[qid] == "multiple" else v for qid, v in data["answers"].items()}
    assert saved == expected
    scores = score_responses(module, data)
    assert [s.status for s in scores] == ["correct"] * len(questions), \
        [(s.question_id, s.status) for s in scores]



# -- issue 15: outputs that read in JupyterLab -------------------------------------------------------
OUTPUTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"


def assert_outputs_read(page: Any, name: str) -> None:
    """Every output reads (glossary rows, alignment, overflow, figures) and axe finds nothing moderate+."""
    problems = layout_problems(page, OUTPUTS, bound=".jp-OutputArea-output")
    assert problems == [], f"{name}: outputs do not read in JupyterLab:\n" + "\n".join(problems[:20])
    violations = axe_violations(page, require_axe(), include=".jp-OutputArea-output")
    assert not violations, f"{name}: axe-core in the output area:\n{format_violations(violations)}"


@pytest.mark.parametrize(("notebook", "selector"), [
    ("01-overview", "table.seminarkit-plan"),
    ("04-actors", ".seminarkit-actor-card"),
    ("05-evidence", ".seminarkit-evidence-explorer .seminarkit-figure img"),
    ("07-simulation", "table.seminarkit-agenda"),
])
def test_outputs_read_in_jupyterlab(page: Any, lab: LabServer, notebook: str, selector: str) -> None:
    from playwright.sync_api import expect

    open_notebook(page, lab, f"{notebook}.ipynb")
    run_all(page)
    assert error_outputs(page) == [], f"{notebook} wrote errors or warnings"
    expect(page.locator(f"{OUTPUTS} {selector}").first).to_be_visible(timeout=30_000)
    assert broken_images(page, OUTPUTS) == []
    assert_outputs_read(page, notebook)
    target = page.locator(f"{OUTPUTS} {selector}").first
    target.scroll_into_view_if_needed()
    screenshot(page, f"7-lab-{notebook}", page)


# -- seminarkit lab never writes into the repository -------------------------------------------------
def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_lab_saves_outputs_in_a_git_ignored_working_copy(browser: Any, tmp_path: Path) -> None:
    """JupyterLab started by ``seminarkit lab``: run a notebook, save it, and git sees nothing."""
    from playwright.sync_api import expect

    repo = tmp_path / "course"
    shutil.copytree(NOTEBOOKS, repo / "notebooks")
    shutil.copytree(MATERIALS, repo / "materials")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "course")
    committed = (repo / "notebooks" / "03-timeline.ipynb").read_bytes()

    server = LabServer(root=repo / "seminarkit-lab", home=tmp_path / "home", cwd=repo,
                       seminarkit_args=["--materials", str(repo / "materials")])
    server.home.mkdir()
    server.start()
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        open_notebook(page, server, "03-timeline.ipynb")
        run_all(page)
        assert error_outputs(page) == []
        expect(page.locator(".seminarkit-timeline-explorer")).to_have_count(1)
        page.locator(".jp-NotebookPanel .jp-Notebook").first.click()
        page.keyboard.press("Control+s")
        saved = server.root / "03-timeline.ipynb"
        page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')")
        outputs = [o for c in json.loads(saved.read_text())["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
        assert outputs, "the saved working copy has no outputs"
        screenshot(page, "lab-working-copy-saved")
    finally:
        context.close()
        server.stop()

    assert _git(repo, "status", "--porcelain") == ""
    assert "!! seminarkit-lab/" in _git(repo, "status", "--porcelain", "--ignored")
    assert (repo / "notebooks" / "03-timeline.ipynb").read_bytes() == committed
    assert "JupyterLab on the working copy" in server.log_tail() and "(created;" in server.log_tail()


def test_a_bad_parameter_shows_one_line_in_jupyterlab(page: Any, lab: LabServer) -> None:
    bad = lab.root / "bad-module.ipynb"
    shutil.copyfile(lab.root / "01-overview.ipynb", bad)
    set_parameters(bad, module="nope")
    open_notebook(page, lab, bad.name)
    run_all(page)
    errors = error_outputs(page)
    screenshot(page, "bad-parameter-one-line")
    assert len(errors) == 1, errors
    assert errors[0].splitlines() == [
        "UnknownChoiceError: unknown module 'nope'; choose one of: afghanistan-2018, kazakhstan-2022, "
        "russian-army-1993-2022, nuclear-deterrence-ukraine, moldova-2025"]
