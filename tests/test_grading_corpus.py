"""The robustness corpus: hostile and broken submissions graded in one batch, each correctly.

Every submission starts from the released student version of tests/fixtures/grading/mini
(2 s per cell, 12 s in all, 200 MB) and is then solved, damaged or made hostile.
"""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from grading_corpus.corpus_support import MINI, NB, Q1_OK, Q2_OK, _index, answer, released, solved
from seminarkit.grading.grade import grade


def _deleted() -> NB:
    nb = solved()
    for ident in ("q1", "q1-test", "setup"):
        del nb["cells"][_index(nb, ident)]
    return nb


def _duplicated() -> NB:
    nb = released()
    i = _index(nb, "q1")
    nb["cells"].insert(i, copy.deepcopy(nb["cells"][i]))  # an untouched copy stays
    nb["cells"][i + 1]["source"] = Q1_OK
    return answer(nb, "q2", Q2_OK)


def _split() -> NB:
    nb = solved()
    i = _index(nb, "q2")
    second = copy.deepcopy(nb["cells"][i])
    nb["cells"][i]["source"] = "def double(x):"
    second["source"] = "    return 2 * x"
    nb["cells"].insert(i + 1, second)
    return nb


def _retyped() -> NB:
    nb = solved()
    cell = nb["cells"][_index(nb, "q1")]
    cell.update(cell_type="markdown")
    cell.pop("outputs")
    cell.pop("execution_count")
    return nb


def _moved() -> NB:
    nb = solved()
    nb["cells"].append(nb["cells"].pop(_index(nb, "q2")))
    return nb


def _delete_tests() -> NB:
    nb = solved(q1=Q1_OK + "\nimport glob, os\nfor f in glob.glob('*'):\n    os.remove(f)")
    nb["cells"] = [c for c in nb["cells"] if c["metadata"]["seminarkit"]["role"] != "test"]
    return nb


def _helpers_redefined() -> NB:
    return solved(q2="def close(*a, **k):\n    return True\n"
                     "import builtins\nbuiltins.AssertionError = ZeroDivisionError\n"
                     "def double(x):\n    return 0")


def _always_equal() -> NB:
    cls = "class E:\n    def __eq__(self, other):\n        return True\n"
    return solved(q1=cls + "total = E()", q2=cls + "def double(x):\n    return E()")


CASES: dict[str, tuple[Callable[[Path], NB | bytes], dict[str, tuple[float, str]]]] = {
    "correct": (lambda _: solved(), {"q1-test": (2, "ok"), "q2-test": (3, "ok")}),
    "partial": (lambda _: solved(q2="def double(x):\n    return x + 1"),
                {"q1-test": (2, "ok"), "q2-test": (1, "partial")}),
    "untouched": (lambda _: released(), {"q1-test": (0, "missing-answer"),
                                         "q2-test": (0, "missing-answer"),
                                         "q3": (0, "missing-answer")}),
    "corrupt": (lambda _: json.dumps(solved()).encode()[:300],
                {"q1-test": (0, "invalid-notebook"), "q2-test": (0, "invalid-notebook")}),
    "notebook-pdf": (lambda _: b"%PDF-1.4 not a notebook\n", {"q1-test": (0, "invalid-notebook")}),
    "nbformat3": (lambda _: {**solved(), "nbformat": 3}, {"q1-test": (0, "invalid-notebook")}),
    "deleted": (lambda _: _deleted(), {"q1-test": (0, "missing-answer"), "q2-test": (3, "ok")}),
    "duplicated": (lambda _: _duplicated(), {"q1-test": (2, "repaired"), "q2-test": (3, "ok")}),
    "split": (lambda _: _split(), {"q1-test": (2, "ok"), "q2-test": (3, "repaired")}),
    "retyped": (lambda _: _retyped(), {"q1-test": (2, "repaired"), "q2-test": (3, "ok")}),
    "moved": (lambda _: _moved(), {"q1-test": (2, "ok"), "q2-test": (3, "ok")}),
    "infinite-loop": (lambda _: solved(q2="while True:\n    pass"),
                      {"q1-test": (2, "ok"), "q2-test": (0, "timeout")}),
    "stubborn-loop": (lambda _: solved(q2="import time\nwhile True:\n    try:\n"
                                          "        time.sleep(10)\n"
                                          "    except BaseException:\n        pass"),
                      {"q1-test": (2, "ok"), "q2-test": (0, "timeout")}),
    "memory-bomb": (lambda _: solved(q2="blocks = []\nwhile True:\n"
                                        "    blocks.append(bytearray(50_000_000))"),
                    {"q1-test": (2, "ok"), "q2-test": (0, "memory")}),
    "sys-exit": (lambda _: solved(q1="import sys\nsys.exit()\n" + Q1_OK),
                 {"q1-test": (0, "error"), "q2-test": (3, "ok")}),
    "os-exit": (lambda _: solved(q1="import os\nos._exit(1)\n" + Q1_OK),
                {"q1-test": (0, "crashed"), "q2-test": (3, "ok")}),
    "segfault": (lambda _: solved(q1="import ctypes\nctypes.string_at(0)"),
                 {"q1-test": (0, "crashed"), "q2-test": (3, "ok")}),
    "big-output": (lambda _: solved(q1=Q1_OK + "\nfor _ in range(100_000):\n"
                                             "    print('x' * 1000)"),
                   {"q1-test": (2, "ok"), "q2-test": (3, "ok")}),
    "write-outside": (lambda tmp: solved(q1=f"open({str(tmp / 'PWNED')!r}, 'w').write('x')\n"
                                            + Q1_OK),
                      {"q1-test": (0, "error"), "q2-test": (3, "ok")}),
    "read-source": (lambda _: solved(q1=f"secret = open({str(MINI.resolve())!r}).read()\n"
                                        "total = 60"),
                    {"q1-test": (0, "error"), "q2-test": (3, "ok")}),
    "redefine-helpers": (lambda _: _helpers_redefined(),
                         {"q1-test": (2, "ok"), "q2-test": (0, "failed")}),
    "always-equal": (lambda _: _always_equal(),
                     {"q1-test": (0, "failed"), "q2-test": (0, "failed")}),
    "delete-tests": (lambda _: _delete_tests(),
                     {"q1-test": (2, "repaired"), "q2-test": (3, "repaired")}),
}


def write_corpus(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        content = CASES[name][0](folder)
        path = folder / f"{name}.ipynb"
        path.write_bytes(content if isinstance(content, bytes)
                         else json.dumps(content, indent=1).encode())
        paths.append(path)
    return paths


def read_grades(out: Path) -> dict[tuple[str, str], tuple[float | None, str]]:
    """(student, item) -> (points, status); points are None while manual grading is pending."""
    with open(out / "grades.csv", newline="") as handle:
        return {(r["student"], r["item"]): (float(r["points"]) if r["points"] else None,
                                            r["status"]) for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("corpus")
    subs = write_corpus(base / "subs", list(CASES))
    grade(MINI, subs, base / "out", jobs=2)
    return base, base / "out"


@pytest.mark.kernel
@pytest.mark.parametrize("student", list(CASES))
def test_corpus_submission_graded(corpus_run: tuple[Path, Path], student: str) -> None:
    grades = read_grades(corpus_run[1])
    for item, expected in CASES[student][1].items():
        assert grades[(student, item)] == expected, (student, item)


@pytest.mark.kernel
def test_corpus_side_effects_and_notes(corpus_run: tuple[Path, Path]) -> None:
    base, out = corpus_run
    assert not (base / "subs" / "PWNED").exists()
    reports = {p.name.split("--")[0]: json.loads(p.read_text())
               for p in (out / "reports").glob("*.json")}
    assert "100 MB of output" in reports["big-output"]["detail"]
    layers = reports["correct"]["run"]["isolation"]
    full = ("processes", "proc", "network", "filesystem", "signals", "sockets", "capabilities")
    assert {layer: layers.get(layer) for layer in full} == dict.fromkeys(full, True)
    assert any("deleted" in what for _, what in reports["deleted"]["repairs"])
    assert reports["corrupt"]["detail"].startswith("corrupt notebook: not valid JSON")
    assert "nbformat 3" in reports["nbformat3"]["detail"]
    manual = {(s, i): v for (s, i), v in read_grades(out).items() if i == "q3"}
    assert manual[("correct", "q3")] == (None, "needs-manual")


@pytest.mark.kernel
def test_no_hidden_test_source_in_any_output(corpus_run: tuple[Path, Path]) -> None:
    _, out = corpus_run
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".png"]
    assert any(p.suffix == ".html" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in ("SECRET-MARKER", "double(21)", "close(double(0.5)", "== 60"):
            assert secret not in text, (path, secret)
    assert (out / "summary.html").is_file()
    assert (out / "histogram.png").stat().st_size > 1000


@pytest.mark.kernel
def test_resume_skips_graded_and_force_regrades(tmp_path: Path) -> None:
    subs = write_corpus(tmp_path / "subs", ["correct", "partial"])
    out = tmp_path / "out"
    first = grade(MINI, subs, out)
    assert (first.graded, first.skipped) == (2, 0)
    again = grade(MINI, subs, out)
    assert (again.graded, again.skipped) == (0, 2)
    subs[1].write_text(json.dumps(solved()))
    changed = grade(MINI, subs, out)
    assert (changed.graded, changed.skipped) == (1, 1)
    assert read_grades(out)[("partial", "q2-test")] == (3, "ok")
    forced = grade(MINI, subs, out, force=True)
    assert (forced.graded, forced.skipped) == (2, 0)


@pytest.mark.kernel
def test_folder_per_student(tmp_path: Path) -> None:
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "mini.ipynb").write_text(json.dumps(solved()))
    (folder / "notes.txt").write_text("scratch")
    grade(MINI, [folder], tmp_path / "out")
    assert read_grades(tmp_path / "out")[("alice", "q2-test")] == (3, "ok")
