"""Tests: ``seminarkit init``, ``new module``, ``new exercise`` and ``--course``, as an instructor runs them.

A course is made with init in tmp_path; commands run from inside it (the course is found there)
and from elsewhere with ``--course``. Every refusal is one line on stderr, a non-zero exit, and
the course folder byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

Run = Callable[..., tuple[int, str, str]]
REPO = Path(__file__).resolve().parents[1]
KIT_MODULES = [m["id"] for m in yaml.safe_load((REPO / "materials" / "course.yaml").read_text())["modules"]]


def _snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a digest of its content (folders: 'dir')."""
    return {str(p.relative_to(root)): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def course(tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give a course folder written by ``seminarkit init``, with one new module; cwd is the course folder."""
    monkeypatch.delenv("SEMINARKIT_MATERIALS", raising=False)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("init", "my-course")
    assert code == 0, err
    folder = tmp_path / "my-course"
    monkeypatch.chdir(folder)
    code, _, err = run_cli("new", "module", "water-2024", "--title", "Water and Power in Central Asia",
                             "--url", "https://www.ifri.org/en/papers/water-power", "--author", "A. Writer")
    assert code == 0, err
    return folder


def test_init_writes_a_course_that_validates_from_inside_and_with_course(course: Path, run_cli: Run,
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    listed = sorted(p.name for p in course.iterdir())
    assert listed == [".github", ".gitignore", "README.md", "exercises", "materials", "notebooks", "schemas"]
    assert (course / ".github" / "workflows" / "handouts.yml").is_file()
    assert sorted(p.name for p in (course / "notebooks").glob("*.ipynb")) == sorted(
        p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    assert (course / "exercises" / "moldova-2025" / "dhondt-2025.ipynb").is_file()
    first = (course / "materials" / "modules" / "water-2024" / "module.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schemas/module.schema.json"

    code, out, err = run_cli("validate")  # cwd: the course
    assert code == 0, err
    assert out.startswith(f"materials OK: {len(KIT_MODULES) + 1} module(s)")
    assert "water-2024 (1 events, 2 actors, 1 terms, 1 questions, 1 datasets, 1 sources)" in out
    assert err.strip().splitlines() == [
        f"seminarkit: note: module water-2024 is a stub (placeholders marked EXAMPLE; its handouts say DRAFT): "
        f"replace them, then set status: complete in {course / 'materials' / 'modules' / 'water-2024' / 'module.yaml'}"]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = run_cli("validate")  # not a course folder: the kit's own course
    assert code == 0 and out.startswith(f"materials OK: {len(KIT_MODULES)} module(s)")
    assert "water-2024" not in out
    code, out, _ = run_cli("validate", "--course", str(course))
    assert code == 0 and "water-2024" in out
    code, out, _ = run_cli("quiz", "export", "water-2024", "--format", "json", "--course", "../my-course")
    assert code == 0
    assert [q["id"] for q in json.loads(out)["questions"]] == ["q1"]


def test_course_that_is_not_a_course_is_one_line(tmp_path: Path, run_cli: Run) -> None:
    (tmp_path / "empty").mkdir()
    code, out, err = run_cli("validate", "--course", str(tmp_path / "empty"))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"{tmp_path / 'empty'}: --course: not a course folder (no materials/course.yaml); "
        "create one with 'seminarkit init DIR'"]


def test_new_exercise_is_listed_released_and_graded(course: Path, run_cli: Run, tmp_path: Path) -> None:
    code, out, err = run_cli("new", "exercise", "water-2024", "row-count")
    assert code == 0, err
    source = course / "exercises" / "water-2024" / "row-count.ipynb"
    assert out.strip() == f"exercise written to {source}"
    code, out, err = run_cli("release", str(source), "--out", str(tmp_path / "release"))
    assert code == 0, err
    released = tmp_path / "release" / "water-2024" / "row-count"
    assert sorted(p.name for p in released.iterdir()) == ["example_series.csv", "row-count.ipynb"]
    student = json.loads((released / "row-count.ipynb").read_text())
    answer = next(c for c in student["cells"] if c["id"] == "q1")
    assert "raise NotImplementedError()" in "".join(answer["source"])
    (tmp_path / "subs" / "right").mkdir(parents=True)
    (tmp_path / "subs" / "blank").mkdir()
    (tmp_path / "subs" / "right" / "row-count.ipynb").write_bytes(source.read_bytes())
    (tmp_path / "subs" / "blank" / "row-count.ipynb").write_bytes((released / "row-count.ipynb").read_bytes())
    code, out, err = run_cli("grade", str(tmp_path / "subs" / "right"), str(tmp_path / "subs" / "blank"),
                             "--exercise", str(source), "--out", str(tmp_path / "gradebook"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "blank: 0/4 (missing-answer)"
    assert lines[1] == "right: 2/2 + 2 pending manual grading (needs-manual)"


@pytest.mark.parametrize(("args", "message"), [
    (["new", "module", "water-2024", "--title", "T", "--url", "https://a.example/b"],
     "module 'water-2024' exists already (choose another id)"),
    (["new", "module", "Water", "--title", "T", "--url", "https://a.example/b"],
     "'Water' is not a valid module id (lower-case ASCII letters, digits, '-', '_' or '.')"),
    (["new", "module", "../up", "--title", "T", "--url", "https://a.example/b"],
     "'../up' is not a valid module id (lower-case ASCII letters, digits, '-', '_' or '.')"),
    (["new", "module", "fine", "--title", "T", "--url", "ftp://a.example/b"],
     "--url 'ftp://a.example/b' is not an http(s) address of the analysis's page"),
    (["new", "exercise", "water-2024", "Bad Name"],
     "'Bad Name' is not a valid exercise name (lower-case ASCII letters, digits, '-', '_' or '.')"),
    (["new", "exercise", "no-such-module", "fine"], "no module 'no-such-module' in"),
])
def test_refusals_are_one_line_and_write_nothing(course: Path, run_cli: Run, args: list[str], message: str) -> None:
    before = _snapshot(course)
    code, out, err = run_cli(*args)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("seminarkit: error: ")
    assert message in err
    assert _snapshot(course) == before


def test_existing_exercise_and_listed_module_are_refused(course: Path, run_cli: Run) -> None:
    assert run_cli("new", "exercise", "water-2024", "first")[0] == 0
    before = _snapshot(course)
    code, _, err = run_cli("new", "exercise", "water-2024", "first")
    assert code == 1 and "first.ipynb: exists already (choose another name)" in err
    # A module listed in course.yaml whose folder is gone is still taken: a second entry would clash.
    spec = course / "materials" / "course.yaml"
    text = spec.read_text().replace("  - id: moldova-2025\n", "  - id: ghost\n    notebooks: [01-overview]\n"
                                    "  - id: moldova-2025\n")
    spec.write_text(text)
    before = _snapshot(course)
    code, _, err = run_cli("new", "module", "ghost", "--title", "T", "--url", "https://a.example/b")
    assert code == 1 and "module 'ghost' exists already" in err
    assert _snapshot(course) == before


def test_new_module_without_a_modules_list_writes_nothing(course: Path, run_cli: Run) -> None:
    spec = course / "materials" / "course.yaml"
    spec.write_text(spec.read_text().replace("\nmodules:\n", "\nmodules_list:\n"))
    before = _snapshot(course)
    code, _, err = run_cli("new", "module", "fresh", "--title", "T", "--url", "https://a.example/b")
    assert code == 1
    assert err.strip() == f"seminarkit: error: {spec}: no 'modules:' list to add 'fresh' to (add it by hand)"
    assert _snapshot(course) == before


def test_new_outside_a_course_and_init_into_a_used_folder_are_refused(tmp_path: Path, run_cli: Run,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("new", "module", "x", "--title", "T", "--url", "https://a.example/b")
    assert code == 1 and err.strip() == (f"seminarkit: error: {tmp_path}: not a course folder (no materials/"
                                         "course.yaml); create one with 'seminarkit init DIR' or pass --course DIR")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine\n")
    (tmp_path / "a-file").write_text("mine\n")
    before = _snapshot(tmp_path)
    for target in ("used", "a-file"):
        code, _, err = run_cli("init", target)
        assert code == 1 and err.strip() == (f"seminarkit: error: {target}: exists and is not an empty folder "
                                             "(init writes a new course folder)")
    assert _snapshot(tmp_path) == before
    (tmp_path / "empty").mkdir()
    assert run_cli("init", "empty")[0] == 0
    assert (tmp_path / "empty" / "materials" / "course.yaml").is_file()


def test_interrupted_init_leaves_nothing(tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import seminarkit.content.scaffold as scaffold

    def broken(folder: Path) -> list[Path]:
        raise OSError(28, "No space left on device", str(folder))

    monkeypatch.setattr(scaffold, "write_schemas", broken)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("init", "course")
    assert code == 1 and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []


def test_course_notebook_wins_and_missing_ones_come_from_the_kit(course: Path, run_cli: Run) -> None:
    from seminarkit.content.materials import load_course
    from seminarkit.handouts.plan import plan_jobs

    (course / "notebooks" / "03-timeline.ipynb").unlink()  # use the kit's
    own = course / "notebooks" / "01-overview.ipynb"
    own.write_text(own.read_text().replace("# Overview", "# Overview of our own course", 1))
    assert run_cli("validate")[0] == 0
    jobs = {j.notebook: j.notebook_path for j in plan_jobs(load_course(course / "materials"), modules=["water-2024"],
                                                           editions=["student"])}
    assert jobs["01-overview"] == own
    assert jobs["03-timeline"] == REPO / "notebooks" / "03-timeline.ipynb"
    assert jobs["02-walkthrough"] == course / "notebooks" / "02-walkthrough.ipynb"
    # A notebook neither the course nor the kit has is a validate problem naming the course's path.
    spec = course / "materials" / "course.yaml"
    spec.write_text(spec.read_text().replace("file: 04-actors.ipynb", "file: 04-people.ipynb"))
    code, _, err = run_cli("validate")
    assert code == 2
    assert f"no notebook {course / 'notebooks' / '04-people.ipynb'} in the course or the kit" in err


@pytest.mark.kernel
def test_stub_module_handouts_carry_the_draft_banner(course: Path, run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "site"
    code, _, err = run_cli("build", "--modules", "water-2024,moldova-2025", "--editions", "student",
                                "--formats", "html", "--out", str(out), "--quiet")
    assert code == 0, err
    banner = "DRAFT: stub module."
    for page in sorted((out / "student" / "water-2024").glob("*.html")):
        assert banner in page.read_text(), f"{page.name} lacks the stub banner"
    assert len(list((out / "student" / "water-2024").glob("*.html"))) == 6
    overview = (out / "student" / "water-2024" / "01-overview.html").read_text()
    assert "Water and Power in Central Asia" in overview
    for page in (out / "student" / "moldova-2025").glob("*.html"):
        assert banner not in page.read_text(), f"{page.name}: a complete module shows the stub banner"


def test_a_kernel_in_a_course_notebooks_folder_loads_that_course(course: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Plain `jupyter lab` in a course folder runs kernels in notebooks/: materials_dir = None
    # must mean this course, not the kit's.
    from seminarkit.content.paths import default_materials_dir
    from seminarkit.render.notebook import start

    monkeypatch.chdir(course / "notebooks")
    assert default_materials_dir() == course / "materials"
    session = start("01-overview", module="water-2024", interactive=False)
    assert session.module.meta.title == "Water and Power in Central Asia"
    monkeypatch.setenv("SEMINARKIT_MATERIALS", str(REPO / "materials"))  # set once by `seminarkit lab`: it wins
    assert default_materials_dir() == REPO / "materials"
