"""docs/authoring.md, followed literally: every command and every file edit, in order, in tmp_path.

The walkthrough's blocks are found by their marks:

- a ```console block: each ``$ command`` is run with bash in the current folder (``cd`` moves
  it); the lines under a command are what it must print (``…`` stands for any text);
- a ```yaml block whose first line is ``# file: PATH`` is the whole new content of PATH, one
  whose first line is ``# edit: PATH`` replaces the top-level entries it shows in PATH;
- any other block preceded by ``<!-- file: PATH -->`` is the whole new content of PATH.

Then the test checks what the walkthrough promises: the module validates, its HTML handouts
show the edited title, question, timeline and data set (under the stub's DRAFT banner), and
the exercise grades.
"""

from __future__ import annotations

import html
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

DOC = Path(__file__).resolve().parents[1] / "docs" / "authoring.md"
BLOCK = re.compile(r"(?:<!-- file: (?P<target>\S+) -->\n)?^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)


@dataclass(frozen=True)
class Step:
    """One thing the reader does: run a command (and see its output) or write/edit a file."""

    kind: str  # "run", "file" or "edit"
    text: str  # the command, or the file's new content / the entries to replace
    path: str = ""
    expected: tuple[str, ...] = ()


def steps(doc: str) -> list[Step]:
    """Every step of the walkthrough, in order."""
    found: list[Step] = []
    for match in BLOCK.finditer(doc):
        lang, body = match["lang"], match["body"]
        if lang == "console":
            for chunk in re.split(r"^(?=\$ )", body, flags=re.M):
                if chunk.strip():
                    command, *output = chunk.rstrip("\n").split("\n")
                    assert command.startswith("$ "), f"console output without a command: {chunk!r}"
                    found.append(Step("run", command[2:], expected=tuple(output)))
        elif match["target"]:
            found.append(Step("file", body, match["target"]))
        elif lang == "yaml":
            first, _, rest = body.partition("\n")
            mark = re.fullmatch(r"# (file|edit): (\S+)", first)
            assert mark, f"a yaml block without '# file: PATH' or '# edit: PATH': {first!r}"
            found.append(Step(mark[1], rest if mark[1] == "edit" else body, mark[2]))
    return found


def _sections(text: str) -> dict[str, str]:
    """Split YAML text into its top-level entries (key -> the entry's lines, comments between kept)."""
    sections: dict[str, str] = {}
    key = None
    for line in text.splitlines(keepends=True):
        top = re.match(r"^([A-Za-z_][\w-]*):", line)
        if top:
            key = top[1]
            sections[key] = line
        elif key is not None:
            sections[key] += line
    return sections


def edit(path: Path, entries: str) -> None:
    """Replace the top-level entries ``entries`` shows in ``path``; everything else stays."""
    text = path.read_text(encoding="utf-8")
    current = _sections(text)
    for key, new in _sections(entries).items():
        assert key in current, f"{path}: the walkthrough edits {key!r}, which the file does not have"
        text = text.replace(current[key], new if new.endswith("\n") else new + "\n", 1)
    path.write_text(text, encoding="utf-8")


def matches(expected: str, lines: list[str]) -> bool:
    """Tell whether one printed line matches ``expected`` (``…`` stands for any text)."""
    pattern = ".*".join(re.escape(part) for part in expected.strip().split("…"))
    return any(re.fullmatch(pattern, line.strip()) for line in lines)


def test_walkthrough_marks_are_found() -> None:
    found = steps(DOC.read_text(encoding="utf-8"))
    commands = [s.text.split()[:3] for s in found if s.kind == "run"]
    assert ["seminarkit", "init", "my-course"] in commands
    assert ["seminarkit", "new", "module"] in commands and ["seminarkit", "new", "exercise"] in commands
    assert any(c[:2] == ["seminarkit", "grade"] for c in commands)
    written = {s.path for s in found if s.kind in ("file", "edit")}
    module = "materials/modules/csto-1992/"
    assert {module + n for n in ("module.yaml", "quiz.yaml", "timeline.yaml", "data/treaty_members.csv",
                                 "data/treaty_members.yaml")} <= written
    assert _sections("a: 1\n# note\nb:\n  - x\nc: >-\n  long\n") == {"a": "a: 1\n# note\n", "b": "b:\n  - x\n",
                                                                       "c": "c: >-\n  long\n"}


@pytest.mark.kernel
@pytest.mark.slow
def test_following_the_walkthrough_gives_a_module_that_validates_builds_and_grades(tmp_path: Path) -> None:
    shim = tmp_path / "bin" / "seminarkit"  # the reader's `seminarkit` is this kit
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m seminarkit "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if k != "SEMINARKIT_MATERIALS"}
    env["PATH"] = f"{shim.parent}{os.pathsep}{env.get('PATH', '')}"
    home = tmp_path / "work"
    home.mkdir()
    cwd = home
    for step in steps(DOC.read_text(encoding="utf-8")):
        if step.kind == "run" and step.text.startswith("cd "):
            cwd = (cwd / step.text[3:].strip()).resolve()
            assert cwd.is_dir(), step.text
        elif step.kind == "run":
            done = subprocess.run(["bash", "-c", step.text], cwd=cwd, env=env, capture_output=True, text=True,
                                  timeout=900, check=False)
            assert done.returncode == 0, f"$ {step.text}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            printed = (done.stdout + done.stderr).splitlines()
            for line in step.expected:
                assert line.strip() == "…" or matches(line, printed), (
                    f"$ {step.text}: the walkthrough shows {line!r}; it printed:\n" + "\n".join(printed))
        elif step.kind == "edit":
            edit(cwd / step.path, step.text)
        else:
            (cwd / step.path).write_text(step.text, encoding="utf-8")

    course = home / "my-course"
    module = course / "materials" / "modules" / "csto-1992"
    title = yaml.safe_load((module / "module.yaml").read_text())["title"]
    assert title == "The CSTO: Russia's alliance in Central Asia"
    assert sorted(p.name for p in (module / "data").iterdir()) == ["treaty_members.csv", "treaty_members.yaml"]

    site = course / "build" / "student" / "csto-1992"
    assert sorted(p.name for p in site.glob("*.html")) == [
        "01-overview.html", "02-walkthrough.html", "03-timeline.html", "04-actors.html", "05-evidence.html",
        "06-quiz.html"]
    pages = {p.stem: html.unescape(p.read_text(encoding="utf-8")) for p in site.glob("*.html")}
    assert "The CSTO: Russia's alliance in Central Asia" in pages["01-overview"]
    assert "alliance has done for its members and for Russia" in pages["01-overview"]  # the edited summary
    assert "In which city was the Collective Security Treaty signed in May 1992?" in pages["06-quiz"]
    assert "The Collective Security Treaty is signed in Tashkent" in pages["03-timeline"]
    assert "Member states of the Collective Security Treaty" in pages["05-evidence"]
    assert all("DRAFT: stub module." in page for page in pages.values())
    student_quiz = pages["06-quiz"]
    assert "The treaty is often called the Tashkent Treaty" not in student_quiz  # the explanation is instructors'
    instructor = html.unescape((course / "build" / "instructor" / "csto-1992" / "06-quiz.html").read_text())
    assert "In which city was the Collective Security Treaty signed in May 1992?" in instructor

    released = course / "release" / "csto-1992" / "member-count"
    assert sorted(p.name for p in released.iterdir()) == ["member-count.ipynb", "treaty_members.csv"]
    grades = (course / "gradebook" / "grades.csv").read_text().splitlines()
    assert grades[0].startswith("student,exercise,item,points,max,status")
    assert [line.split(",")[:6] for line in grades[1:]] == [
        ["test-student", "member-count", "q1-test", "2", "2", "ok"],
        ["test-student", "member-count", "q2", "", "2", "needs-manual"]]
