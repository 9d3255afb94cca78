"""Engine parity: valid Jupyter code is graded the way a real Jupyter kernel runs it.

A corpus of answer styles students really write (magics, ``display``, a bare last
expression and ``_``, shell escapes, top-level ``await``, helpers written with
``%%writefile``, a name reused in a later cell...) is graded by the grader and also run,
with the instructor's own test cells (hidden tests included), through a real kernel by
:func:`seminarkit.handouts.execute.run_notebook`. For every style and test cell, the test
passes in Jupyter exactly when the grader gives the item full marks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from corpus_support import MINI, add_cell, grades, reports, solved, write

from seminarkit.fileio import import_nbformat
from seminarkit.grading.exercise import load_exercise
from seminarkit.grading.grade import grade

SUM = 'sum(int(r["n"]) for r in rows)'
DOUBLE = "def double(x):\n    return 2 * x"
# style -> (q1 cells, q2 cells): the first cell is the answer cell, the others are added after
STYLES: dict[str, tuple[list[str], list[str]]] = {
    "cell-time": ([f"%%time\ntotal = {SUM}"], [f"%%time\n{DOUBLE}"]),
    "line-time": ([f"%time total = {SUM}"], [DOUBLE]),
    "timeit": ([f"%timeit -n1 -r1 {SUM}\ntotal = {SUM}"], [DOUBLE]),
    "capture": ([f"%%capture captured\nprint('working')\ntotal = {SUM}"],
                [f"%%capture\n{DOUBLE}"]),
    "matplotlib": ([f"%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                    f"plt.plot([1, 2, 3])\nplt.show()\ntotal = {SUM}"], [DOUBLE]),
    "display": ([f"from IPython.display import Markdown, display\ntotal = {SUM}\n"
                 "display(total)\ndisplay(Markdown('**done**'))\ntotal"], [DOUBLE]),
    "underscore": ([SUM, "total = _"], [DOUBLE]),
    "semicolon": ([f"total = {SUM};"], [f"{DOUBLE}\ndouble(2);"]),
    "get-ipython": ([f"get_ipython().run_line_magic('time', 'total = {SUM}')"], [DOUBLE]),
    "env-magic": ([f"%env SEMINAR=1\ntotal = {SUM}"], [DOUBLE]),
    "shell-escape": ([f"!echo counting\ntotal = {SUM}"], [f"files = !ls\n{DOUBLE}"]),
    "await": ([f"total = {SUM}"], [f"import asyncio\nawait asyncio.sleep(0)\n{DOUBLE}"]),
    "writefile": ([f"total = {SUM}"], [f"%%writefile helper.py\n{DOUBLE}",
                                      "from helper import double"]),
    "reused-name": ([f"total = {SUM}"], [f"{DOUBLE}\ntotal = 'reused for something else'"]),
    "kit-helpers": ([f"from seminarkit.grading.helpers import close\ntotal = {SUM}\n"
                     "assert close(total, 60)"], [DOUBLE]),
    "lambda-numpy": (["import numpy as np\ntotal = int(np.sum([int(r['n']) for r in rows]))"],
                     ["double = lambda x: 2 * x"]),
    "wrong": (["total = 59"], ["def double(x):\n    return x + x if x > 1 else 2"]),
}


def _submission(q1: list[str], q2: list[str]) -> dict[str, object]:
    nb = solved(q1=q1[0], q2=q2[0])
    for extra in reversed(q1[1:]):
        nb = add_cell(nb, "q1", extra)
    for extra in reversed(q2[1:]):
        nb = add_cell(nb, "q2", extra)
    return nb


def _jupyter_notebook() -> object:
    """One notebook: the setup, then per style its answers and the wrapped test cells."""
    nbformat = import_nbformat()
    exercise = load_exercise(MINI)
    setup = exercise.cell("setup").source
    tests = {t.id: t.source for t in exercise.tests}
    cells = [nbformat.v4.new_code_cell(
        "from seminarkit.grading.helpers import close, same_items, same_mapping\n"
        "__results__ = {}"), nbformat.v4.new_code_cell(setup)]
    for style, (q1, q2) in STYLES.items():
        cells.append(nbformat.v4.new_code_cell("for __name in ('total', 'double'):\n"
                                               "    globals().pop(__name, None)"))
        for test, answers in (("q1-test", q1), ("q2-test", q2)):
            cells.extend(nbformat.v4.new_code_cell(source) for source in answers)
            cells.append(nbformat.v4.new_code_cell(
                f"try:\n    exec(compile({tests[test]!r}, '<test>', 'exec'), globals())\n"
                f"    __results__[{style + '/' + test!r}] = True\n"
                f"except Exception:\n    __results__[{style + '/' + test!r}] = False"))
    cells.append(nbformat.v4.new_code_cell("import json\nprint(json.dumps(__results__))"))
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})


@pytest.mark.kernel
def test_answer_styles_grade_as_a_real_kernel_runs_them(tmp_path: Path) -> None:
    from seminarkit.handouts.execute import run_notebook

    workdir = tmp_path / "kernel"
    workdir.mkdir()
    shutil.copy(MINI.parent / "numbers.csv", workdir)
    executed = run_notebook(_jupyter_notebook(), None, {}, name="parity", workdir=workdir,
                            timeout=120)
    printed = executed.cells[-1].outputs[0]["text"]
    jupyter = json.loads(printed)
    subs = tmp_path / "subs"
    paths = [write(subs, f"{style}.ipynb", _submission(*answers))
             for style, answers in STYLES.items()]
    grade(MINI, paths, tmp_path / "out", jobs=2)
    ours = grades(tmp_path / "out")
    for style in STYLES:
        for test in ("q1-test", "q2-test"):
            passed_in_jupyter = jupyter[f"{style}/{test}"]
            full_marks = ours[(style, test)][1] in ("ok", "repaired")
            assert passed_in_jupyter == full_marks, (style, test, ours[(style, test)],
                                                     reports(tmp_path / "out")[style]["run"])
    assert jupyter["wrong/q1-test"] is False  # the corpus also holds a failing style
    assert all(v for k, v in jupyter.items() if not k.startswith("wrong/"))
    notes = reports(tmp_path / "out")["shell-escape"]["notes"]
    assert ["q1", "!echo counting was not run: shell commands do not run when grading"] in notes
