"""Planning jobs: which jobs, their parameters (from the catalogue), keys, outputs and cache hashes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from seminarkit.content.materials import load_course
from seminarkit.editions import INSTRUCTOR, STUDENT
from seminarkit.errors import UnknownChoiceError
from seminarkit.handouts.plan import default_parameters, plan_jobs

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    dest = tmp_path / "kit"
    shutil.copytree(FIXTURES / "mini_kit", dest)
    return dest / "materials"


def test_one_job_per_notebook_module_and_edition_in_course_order(kit: Path) -> None:
    jobs = plan_jobs(load_course(kit))
    assert [j.key for j in jobs] == ["mini/student/01-overview", "mini/instructor/01-overview",
                                     "mini/student/03-timeline", "mini/instructor/03-timeline"]
    job = jobs[0]
    assert job.edition is STUDENT and jobs[1].edition is INSTRUCTOR
    assert job.formats == ("html", "pdf")
    assert job.title == "Mini — Overview"
    assert job.output(Path("/out"), "pdf") == Path("/out/student/mini/01-overview.pdf")
    assert job.parameters == {"module": "mini", "edition": "student", "interactive": False,
                              "materials_dir": str(kit.resolve())}


def test_catalogue_parameters_reach_only_their_notebook(kit: Path) -> None:
    course_yaml = kit / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace(
        "    description: Overview notebook.\n",
        "    description: Overview notebook.\n    parameters:\n      session_minutes: 60\n"))
    course = load_course(kit)
    assert default_parameters(course, "mini", "01-overview", INSTRUCTOR)["session_minutes"] == 60
    assert "session_minutes" not in default_parameters(course, "mini", "03-timeline", INSTRUCTOR)


def test_choices_filter_and_unknown_choices_are_errors(kit: Path) -> None:
    course = load_course(kit)
    jobs = plan_jobs(course, editions=["instructor"], formats=["html"])
    assert [j.key for j in jobs] == ["mini/instructor/01-overview", "mini/instructor/03-timeline"]
    assert all(j.formats == ("html",) for j in jobs)
    with pytest.raises(UnknownChoiceError, match="unknown module 'nope'"):
        plan_jobs(course, modules=["nope"])
    with pytest.raises(UnknownChoiceError, match="unknown edition 'teacher'"):
        plan_jobs(course, editions=["teacher"])
    with pytest.raises(UnknownChoiceError, match="unknown format 'docx'"):
        plan_jobs(course, formats=["docx"])


def test_inputs_hash_changes_with_each_input_and_only_then(kit: Path) -> None:
    def hashes(**kw: object) -> dict[str, str]:
        return {j.key: j.inputs_hash for j in plan_jobs(load_course(kit), **kw)}  # type: ignore[arg-type]

    base = hashes()
    assert hashes() == base
    assert len(set(base.values())) == 4
    assert hashes(salt="footer 2") != base
    assert hashes(formats=["html"]) != {k: v for k, v in base.items()}
    notebook = kit.parent / "notebooks" / "03-timeline.ipynb"
    notebook.write_text(notebook.read_text() + "\n")
    changed = hashes()
    assert {k for k in base if changed[k] != base[k]} == {"mini/student/03-timeline", "mini/instructor/03-timeline"}
    glossary = kit / "modules" / "mini" / "glossary.yaml"
    glossary.write_text(glossary.read_text() + "\n# touched\n")
    assert all(v != changed[k] for k, v in hashes().items())
