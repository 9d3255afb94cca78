"""Tests: ``seminarkit student-kit`` holds nothing instructor-only, and runs as it is.

The marker test plants a unique marker in every instructor-only field of a copy of the real
materials (notes, model answers, explanations, debrief notes; text and numeric answers) and
reserves a third of the quiz for exams, then proves no marker, and no exam key in any form,
reaches the kit.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from seminarkit.content.materials import load_course
from seminarkit.content.paths import KIT_LISTING
from seminarkit.content.schema.common import is_instructor_only
from seminarkit.content.schema.quiz import Numeric, ShortText

REPO = Path(__file__).resolve().parents[1]
PARTS = {"meta": "module.yaml", "timeline": "timeline.yaml", "actors": "actors.yaml", "glossary": "glossary.yaml",
         "quiz": "quiz.yaml", "roles": "roles.yaml"}


class Planter:
    """Give every instructor-only value a unique marker (text) or a unique value (numbers)."""

    def __init__(self) -> None:
        self.numbers = count(7_300_001)
        self.markers: list[str] = []

    def marker(self) -> str:
        self.markers.append(f"ZQXMARK{len(self.markers):04d}")
        return self.markers[-1]

    def value(self, model: BaseModel, name: str, current: Any) -> Any:
        if name == "explanation" and getattr(model, "show_explanation", False):
            return current  # shown to students after they answer, by the author's choice: public
        if isinstance(current, str) and name != "answer":  # prose: notes, model answers, explanations
            return f"{current} {self.marker()}"
        if isinstance(model, ShortText) and name == "answer":
            return [*current, self.marker().lower()]
        if isinstance(model, Numeric) and name == "answer":
            number = next(self.numbers)  # seven digits: never by chance in a file of the kit
            self.markers.append(str(number))
            return float(number)
        return current  # a choice among public options, or a boolean: its key is checked by hash below

    def plant(self, value: Any) -> Any:
        if isinstance(value, BaseModel):
            updates = {}
            for name in type(value).model_fields:
                current = getattr(value, name)
                if is_instructor_only(type(value), name) and current is not None:
                    updates[name] = self.value(value, name, current)
                else:
                    updates[name] = self.plant(current)
            if isinstance(value, Numeric):
                updates["tolerance"] = 0.0
            return type(value).model_validate({**value.model_dump(), **updates})
        if isinstance(value, list):
            return [self.plant(v) for v in value]
        return value


def _planted_materials(tmp_path: Path, modules: list[str]) -> tuple[Path, list[str], set[str]]:
    """Copy the real materials with markers planted and every third question exam_only."""
    materials = tmp_path / "materials"
    shutil.copytree(REPO / "materials", materials)
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks")
    course = load_course(materials)
    planter = Planter()
    exam_only: set[str] = set()
    for module_id in modules:
        module = course.module(module_id)
        for attr, filename in PARTS.items():
            part = getattr(module, attr)
            if part is None:
                continue
            planted = planter.plant(part)
            data = planted.model_dump(mode="json", exclude_none=True)
            if attr == "quiz":
                for index, question in enumerate(data["questions"]):
                    question.pop("key_hash", None)
                    question.pop("public_explanation", None)
                    if index % 3 == 2 or question.get("exam_only"):
                        question["exam_only"] = True
                        exam_only.add(f"{module_id}/{question['id']}")
            (materials / "modules" / module_id / filename).write_text(
                yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    load_course(materials)  # still valid materials
    return materials, planter.markers, exam_only


def test_no_instructor_value_and_no_exam_key_reaches_the_kit(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    modules = ["afghanistan-2018", "kazakhstan-2022"]
    materials, markers, exam_only = _planted_materials(tmp_path, modules)
    assert len(markers) > 100 and len(exam_only) > 15
    kit = tmp_path / "kit"
    code, out, err = run_cli("student-kit", "--out", str(kit), "--materials", str(materials),
                             "--modules", ",".join(modules))
    assert code == 0, err
    assert f"student kit written to {kit}" in out

    # Nothing else: the README, the listing, the materials and the notebooks.
    files = {p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file()}
    listing = json.loads((kit / KIT_LISTING).read_text())
    assert files == {KIT_LISTING, *listing["files"]}
    assert {f.split("/")[0] for f in files} == {"README.md", KIT_LISTING, "materials", "notebooks"}

    # No marker, in any file, in any case.
    for path in kit.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8").casefold()
            found = [m for m in markers if m.casefold() in text]
            assert found == [], f"{path.relative_to(kit)} holds instructor-only values {found[:5]}"

    # Practice keys sealed (a hash, no answer); exam keys absent altogether.
    kit_course = load_course(kit / "materials")
    assert kit_course.spec.edition == "student"
    for module_id in modules:
        for question in kit_course.module(module_id).need_quiz().questions:
            assert question.answer is None and question.explanation is None
            if f"{module_id}/{question.id}" in exam_only:
                assert question.key_hash is None and question.public_explanation is None, question.id
            else:
                assert question.key_hash, question.id
        raw = yaml.safe_load((kit / "materials" / "modules" / module_id / "quiz.yaml").read_text())
        assert all("answer" not in q and "explanation" not in q for q in raw["questions"])

    # The notebooks: no instructor-only cell, no output.
    for path in (kit / "notebooks").glob("*.ipynb"):
        nb = json.loads(path.read_text())
        assert not [c for c in nb["cells"] if "instructor-only" in c.get("metadata", {}).get("tags", [])], path
        assert all(not c.get("outputs") for c in nb["cells"]), path

    # The leak gate agrees, against the planted instructor materials and the kit's own listing.
    code, out, err = run_cli("check-leaks", str(kit), "--materials", str(materials))
    assert code == 0, err
    assert "no build listing" not in out


def test_kit_refuses_to_overwrite_other_folders_and_replaces_a_kit(
    tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "thesis.docx").write_bytes(b"mine")
    code, _, err = run_cli("student-kit", "--out", str(taken), "--modules", "moldova-2025")
    assert code == 1 and err.count("\n") == 1 and "is not a student kit" in err
    assert [p.name for p in taken.iterdir()] == ["thesis.docx"]

    kit = tmp_path / "kit"
    assert run_cli("student-kit", "--out", str(kit), "--modules", "moldova-2025")[0] == 0
    (kit / "notes.txt").write_text("stale")
    code, _, err = run_cli("student-kit", "--out", str(kit), "--modules", "kazakhstan-2022")
    assert code == 0, err
    assert not (kit / "notes.txt").exists()
    assert json.loads((kit / KIT_LISTING).read_text())["modules"] == ["kazakhstan-2022"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folders left

    # A file the kit was not written with is a finding for the leak gate.
    (kit / "notebooks" / "answers.csv").write_text("q1,B\n")
    code, _, err = run_cli("check-leaks", str(kit))
    assert code == 1 and f"LEAK {kit / 'notebooks' / 'answers.csv'}: file that no build step produced" in err

    # A kit cannot be made from a kit.
    code, _, err = run_cli("student-kit", "--out", str(tmp_path / "again"), "--materials", str(kit / "materials"))
    assert code == 1 and "student edition already" in err


def test_practice_keys_fall_to_brute_force_and_exam_keys_do_not(tmp_path: Path) -> None:
    """The threat model's claim, checked: the README's figure comes from this attack."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bruteforce", REPO / "benchmarks" / "practice_bruteforce.py")
    assert spec is not None and spec.loader is not None
    bruteforce = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bruteforce  # its dataclasses look their module up
    spec.loader.exec_module(bruteforce)

    from seminarkit.studentkit import write_student_kit

    materials, _, exam_only = _planted_materials(tmp_path, ["afghanistan-2018"])
    kit = write_student_kit(tmp_path / "kit", materials=materials, modules=["afghanistan-2018"])
    outcome = bruteforce.attack(kit, "afghanistan-2018")
    assert {f"afghanistan-2018/{q}" for q in outcome.no_key} == exam_only
    instructor = {q.id: q for q in load_course(materials).module("afghanistan-2018").need_quiz().questions}
    choice = [q for q in outcome.recovered if instructor[q].type in ("single", "truefalse", "multiple", "ordering",
                                                                      "matching", "numeric")]
    assert choice and not [q for q in outcome.failed if instructor[q].type != "text"]
    for qid in choice:
        if instructor[qid].type == "single":
            assert outcome.recovered[qid] == instructor[qid].answer


@pytest.mark.kernel
@pytest.mark.slow
def test_every_kit_notebook_runs_in_plain_jupyter_and_refuses_the_instructor_edition(tmp_path: Path) -> None:
    """As plain ``jupyter lab`` in the kit would run them: kernel in notebooks/, no environment help."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from seminarkit.studentkit import write_student_kit

    kit = write_student_kit(tmp_path / "kit", modules=["moldova-2025"])
    env_backup = os.environ.pop("SEMINARKIT_MATERIALS", None)
    try:
        notebooks = sorted((kit / "notebooks").glob("*.ipynb"))
        assert [p.name for p in notebooks] == [f"0{i}-{n}.ipynb" for i, n in enumerate(
            ["overview", "walkthrough", "timeline", "actors", "evidence", "quiz", "simulation"], start=1)]
        probe = nbformat.v4.new_code_cell("from seminarkit.content.paths import default_materials_dir\n"
                                          "print(default_materials_dir())")
        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            nb.cells.append(probe)
            NotebookClient(nb, timeout=180, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
            assert errors == [], path.name
            assert nb.cells[-1].outputs[0]["text"].strip() == str(kit / "materials"), path.name

        nb = nbformat.read(kit / "notebooks" / "01-overview.ipynb", as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert 'module = "moldova-2025"' in params.source  # the kit's own module, not the repo default
        params.source = params.source.replace('edition = "student"', 'edition = "instructor"')
        with pytest.raises(CellExecutionError) as failure:
            NotebookClient(nb, timeout=180, kernel_name="python3",
                           resources={"metadata": {"path": str(kit / "notebooks")}}).execute()
        assert failure.value.ename == "ParameterError"
        assert failure.value.evalue.startswith("this is a student kit")
        error = next(o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error")
        assert len(error["traceback"]) == 1 and "Traceback" not in error["traceback"][0]
    finally:
        if env_backup is not None:
            os.environ["SEMINARKIT_MATERIALS"] = env_backup
