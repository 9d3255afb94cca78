"""One file never takes down the batch: bounded reading, no links out, every failure is a row.

One batch holds every hostile file at once, with honest students around them; the batch
must complete with one row per (student, item), each hostile file being that student's
``invalid-notebook`` (or ``not-submitted``) status.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from corpus_support import FULL, MINI, grades, released, reports, solved, write

from seminarkit.grading.grade import grade

ITEMS = ("q1-test", "q2-test", "q3")


def _hostile(subs: Path) -> dict[str, str]:
    """Write the hostile submissions; return student -> words expected in its detail."""
    expected = {}
    write(subs, "deep.ipynb", b"[" * 200_000 + b"]" * 200_000)
    expected["deep"] = "nested deeper"
    nested = released()
    value: object = "x"
    for _ in range(150):
        value = [value]
    nested["metadata"]["deep"] = value
    write(subs, "deep-metadata.ipynb", nested)
    expected["deep-metadata"] = "nested deeper"
    (subs / "zero.ipynb").symlink_to("/dev/zero")
    expected["zero"] = "outside the submissions folder"
    (subs / "source.ipynb").symlink_to(MINI.resolve())
    expected["source"] = "outside the submissions folder"
    (subs / "dangling.ipynb").symlink_to(subs / "no-such-file.ipynb")
    expected["dangling"] = "cannot be read"
    os.mkfifo(subs / "fifo.ipynb")
    expected["fifo"] = "not a regular file"
    with open(subs / "huge.ipynb", "wb") as handle:
        handle.truncate(65 * 1024 * 1024)
    expected["huge"] = "larger than 64 MB"
    write(subs, "binary.ipynb", bytes(range(256)) * 100)
    expected["binary"] = "not UTF-8"
    write(subs, "cells-dict.ipynb", {"nbformat": 4, "cells": {"a": 1}, "metadata": {}})
    expected["cells-dict"] = "no list of cells"
    weird = released()
    weird["cells"][2]["source"] = 12345
    weird["cells"][3]["metadata"] = "not a mapping"
    weird["cells"].append("not a cell")
    write(subs, "weird-cells.ipynb", weird)
    folder = subs / "linked-folder"
    folder.mkdir()
    (folder / "mini.ipynb").symlink_to(MINI.resolve())
    expected["linked-folder"] = "outside the submissions folder"
    outside = subs.parent / "elsewhere"
    outside.mkdir()
    write(outside, "mini.ipynb", solved())
    (subs / "escaped").symlink_to(outside)
    expected["escaped"] = "outside the submissions folder"
    twice = subs / "twice"
    twice.mkdir()
    write(twice, "mini.ipynb", solved())
    write(subs, "twice.ipynb", solved())
    expected["twice"] = "two submissions"
    return expected


@pytest.mark.kernel
def test_every_hostile_file_is_one_students_status(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    expected = _hostile(subs)
    honest = [write(subs, f"honest{n}.ipynb", solved()) for n in range(3)]
    paths = sorted(p for p in subs.iterdir() if p.name != "no-such-file.ipynb")
    outcome = grade(MINI, paths, tmp_path / "out", jobs=2)
    found = grades(tmp_path / "out")
    students = {s for s, _ in found}
    assert students == {p.name.split(".")[0] for p in paths}
    for student in students:  # one row per (student, item)
        assert {i for s, i in found if s == student} == set(ITEMS), student
    for path in honest:
        assert {k: found[(path.stem, k)] for k in FULL} == FULL
    details = {r["student"]: r["detail"] for r in outcome.reports}
    for student, words in expected.items():
        assert found[(student, "q1-test")] == (0.0, "invalid-notebook"), student
        assert words in details[student], (student, details[student])
    weird = found[("weird-cells", "q1-test")]
    assert weird[1] in ("missing-answer", "error", "failed"), weird
    assert reports(tmp_path / "out")["source"]["items"][0]["points"] == 0


@pytest.mark.kernel
def test_a_link_inside_the_submissions_folder_is_followed(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    store = subs / "store"
    write(store, "real.ipynb", solved())
    (subs / "carol.ipynb").symlink_to(store / "real.ipynb")
    grade(MINI, [subs / "carol.ipynb"], tmp_path / "out")
    found = grades(tmp_path / "out")
    assert {k: found[("carol", k)] for k in FULL} == FULL


def test_the_notebook_reader_refuses_what_it_cannot_bound(tmp_path: Path) -> None:
    from seminarkit.grading.submissions import Unreadable, parse_json, read_bounded

    write(tmp_path, "ok.json", json.dumps({"a": [1, 2]}).encode())
    assert read_bounded(tmp_path / "ok.json", tmp_path, 100) == b'{"a": [1, 2]}'
    with pytest.raises(Unreadable, match="larger than"):
        read_bounded(tmp_path / "ok.json", tmp_path, 5)
    with pytest.raises(Unreadable, match="outside the submissions folder"):
        read_bounded(tmp_path / "ok.json", tmp_path / "sub", 100)
    with pytest.raises(Unreadable, match="nested deeper than 100"):
        parse_json(b"[" * 101 + b"]" * 101, "notebook")
    assert parse_json(b"[" * 99 + b"]" * 99, "notebook") is not None
