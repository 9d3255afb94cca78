"""Scaffolding: a new course folder, a new module, a new exercise, each valid at once.

``seminarkit init DIR`` copies the kit's own course (materials, notebooks, exercises) into a
folder of the instructor's, with the JSON Schemas, a README, a .gitignore and a CI workflow.
``seminarkit new module ID`` writes every materials file with a commented, minimal example
(placeholders marked EXAMPLE; the module is a ``stub`` until the instructor says otherwise), so
``validate`` passes at once and ``build --modules ID`` builds its handouts.
``seminarkit new exercise MODULE NAME`` writes an exercise notebook with solution and
hidden-test regions that grades full marks as written and zero once released.

Every materials file these commands write starts with a ``# yaml-language-server`` line that
points an editor at the file's JSON Schema (``schemas/`` in the course folder).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from seminarkit.content.schema.common import is_id
from seminarkit.content.schema_export import modeline, write_schemas
from seminarkit.errors import SeminarkitError
from seminarkit.fileio import current_umask, make_temp_dir, write_atomic

TEMPLATES = Path(__file__).parent / "scaffold"
MODULE_FILES = ("module.yaml", "sources.yaml", "timeline.yaml", "actors.yaml", "glossary.yaml", "quiz.yaml")
NEW_MODULE_NOTEBOOKS = ("01-overview", "02-walkthrough", "03-timeline", "04-actors", "05-evidence", "06-quiz")
DATASET = "example_series"
SCHEMAS = "schemas"


class ScaffoldError(SeminarkitError):
    """A scaffolding command cannot do what was asked (the id is taken, the folder is not a course...)."""


def _yaml_text(value: str) -> str:
    """Quote any text as a YAML double-quoted scalar."""
    return json.dumps(value, ensure_ascii=False)


def course_root(folder: Path) -> Path:
    """Return ``folder`` if it is a course folder (it has materials/course.yaml), else raise."""
    if not (folder / "materials" / "course.yaml").is_file():
        raise ScaffoldError(f"{folder}: not a course folder (no materials/course.yaml); create one with "
                            "'seminarkit init DIR' or pass --course DIR")
    return folder


def with_modeline(path: Path, text: str, schemas: Path) -> str:
    """Prefix a materials file's text with the line that points editors at its schema."""
    lines = [line for line in text.splitlines() if not line.startswith("# yaml-language-server:")]
    return modeline(path, schemas) + "\n" + "\n".join(lines) + "\n"


def new_module(course: Path, module_id: str, *, title: str, url: str, authors: list[str] | None = None,
               publisher: str | None = None) -> list[Path]:
    """Write a new module's materials (and list it in course.yaml); return the files written."""
    course_root(course)
    if not is_id(module_id):
        raise ScaffoldError(f"{module_id!r} is not a valid module id (lower-case ASCII letters, digits, '-', "
                            "'_' or '.')")
    folder = course / "materials" / "modules" / module_id
    course_yaml = course / "materials" / "course.yaml"
    if folder.exists() or module_id in _listed_modules(course_yaml):
        raise ScaffoldError(f"{folder}: module {module_id!r} exists already (choose another id)")
    if not re.match(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", url):
        raise ScaffoldError(f"--url {url!r} is not an http(s) address of the analysis's page")
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    values = {
        "id": module_id, "title": _yaml_text(title), "short_title": _yaml_text(_short(title)),
        "authors": json.dumps([{"name": a} for a in authors or []], ensure_ascii=False),
        "publisher": _yaml_text(publisher or host), "url": url, "year": str(dt.date.today().year),
        "citation": _yaml_text(f"{'; '.join(authors or []) or 'Author not recorded'}. {title}. "
                               f"{publisher or host}. {url}"),
        "dataset": DATASET,
    }
    listed = _list_in_course(course_yaml, module_id)  # before writing anything: no list, no module
    schemas = course / SCHEMAS
    write_schemas(schemas)
    # The module appears all at once: written in a hidden folder, renamed into place, then listed.
    tmp = make_temp_dir(folder.parent, f"new-{module_id}")
    try:
        names = [*MODULE_FILES, f"data/{DATASET}.yaml"]
        for name in names:
            template = TEMPLATES / ("dataset.yaml" if name.startswith("data/") else name)
            text = Template(template.read_text(encoding="utf-8")).substitute(values)
            write_atomic(tmp / name, with_modeline(folder / name, text, schemas))
        write_atomic(tmp / "data" / f"{DATASET}.csv", (TEMPLATES / "dataset.csv").read_bytes())
        tmp.rename(folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    try:
        write_atomic(course_yaml, listed)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return [*(folder / name for name in names), folder / "data" / f"{DATASET}.csv", course_yaml]


def _listed_modules(course_yaml: Path) -> set[str]:
    """Return the module ids course.yaml lists (none when it cannot be read as YAML: validate says why)."""
    import yaml

    try:
        data = yaml.safe_load(course_yaml.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return set()
    entries = data.get("modules") if isinstance(data, dict) else None
    return {str(e["id"]) for e in entries or [] if isinstance(e, dict) and "id" in e}


def _short(title: str) -> str:
    """Shorten a title to at most 40 characters (the schema's limit), cut at a word."""
    if len(title) <= 40:
        return title
    cut = title[:39].rsplit(" ", 1)[0].rstrip(" ,.:;-")
    return cut + "…"


def _list_in_course(course_yaml: Path, module_id: str) -> str:
    """Return course.yaml's text with the module appended to its ``modules:`` list (comments kept)."""
    lines = course_yaml.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^modules:\s*(#.*)?$", line)), None)
    if start is None:
        raise ScaffoldError(f"{course_yaml}: no 'modules:' list to add {module_id!r} to (add it by hand)")
    end = start + 1
    for index in range(start + 1, len(lines)):
        if lines[index][:1] in (" ", "\t") and lines[index].strip():
            end = index + 1  # the last indented line of the list
        elif lines[index].strip() and not lines[index].startswith("#"):
            break  # the next top-level key
    entry = f"  - id: {module_id}\n    notebooks: [{', '.join(NEW_MODULE_NOTEBOOKS)}]\n"
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines.insert(end, entry)
    return "".join(lines)


def new_exercise(course: Path, module_id: str, name: str) -> Path:
    """Write an exercise notebook for a module, with solution and hidden-test regions."""
    course_root(course)
    if not is_id(name):
        raise ScaffoldError(f"{name!r} is not a valid exercise name (lower-case ASCII letters, digits, '-', "
                            "'_' or '.')")
    if not (course / "materials" / "modules" / module_id).is_dir():
        raise ScaffoldError(f"no module {module_id!r} in {course / 'materials' / 'modules'} (create it first)")
    target = course / "exercises" / module_id / f"{name}.ipynb"
    if target.exists():
        raise ScaffoldError(f"{target}: exists already (choose another name)")
    data_dir = course / "materials" / "modules" / module_id / "data"
    csvs = sorted(p.name for p in data_dir.glob("*.csv")) if data_dir.is_dir() else []
    data = csvs[0] if csvs else None
    return write_atomic(target, json.dumps(_exercise_notebook(module_id, name, data), indent=1) + "\n")


def _cell(cell_type: str, ident: str, role: str, source: str, **extra: object) -> dict[str, object]:
    cell: dict[str, object] = {"cell_type": cell_type, "id": ident,
                               "metadata": {"seminarkit": {"id": ident, "role": role, **extra}}, "source": source}
    if cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _exercise_notebook(module_id: str, name: str, data: str | None) -> dict[str, object]:
    load = (f'import pandas as pd\n\ntable = pd.read_csv("{data}")\ntable.head()' if data else
            "table = None  # EXAMPLE: load your data here")
    cells = [
        _cell("markdown", "intro", "locked", f"# EXAMPLE exercise: {name}\n\nWhat students do, in two sentences. "
                                             "Each answer cell is graded by the test cell under it."),
        _cell("code", "setup", "locked", load),
        _cell("markdown", "q1-text", "locked", "## 1. Count the rows\n\nSet `n_rows` to the number of rows "
                                               "of the table."),
        _cell("code", "q1", "answer", "### BEGIN SOLUTION\nn_rows = len(table)\n### END SOLUTION"),
        _cell("code", "q1-test", "test", "assert isinstance(n_rows, int), \"n_rows should be a whole number\"\n"
                                         "### BEGIN HIDDEN TESTS\nassert n_rows == len(table)\n"
                                         "### END HIDDEN TESTS", points=2),
        _cell("markdown", "q2-text", "locked", "## 2. Interpret\n\nIn two sentences: what does the table show?"),
        _cell("markdown", "q2", "manual", "### BEGIN SOLUTION\nEXAMPLE. A model answer for the marker.\n"
                                          "### END SOLUTION", points=2,
              rubric=[{"criterion": "EXAMPLE. Reads the table correctly", "points": 1},
                      {"criterion": "EXAMPLE. Draws a careful conclusion", "points": 1}]),
    ]
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "seminarkit": {"exercise": name, "module": module_id, "title": f"EXAMPLE: {name}",
                       "files": [data] if data else [],
                       "limits": {"cell_seconds": 20, "total_seconds": 90, "memory_mb": 768}}}}


def init_course(target: Path, *, kit_materials: Path, kit_notebooks: Path, kit_exercises: Path | None) -> list[Path]:
    """Write a new course folder from the kit's own course; return the top-level items written.

    The folder appears all at once (built in a hidden sibling, then renamed into place): an
    interrupted init leaves nothing behind. An existing non-empty folder is refused.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target}: exists and is not an empty folder (init writes a new course folder)")
    tmp = make_temp_dir(target.absolute().parent, "init")
    try:
        _fill_course(tmp, kit_materials, kit_notebooks, kit_exercises)
        if target.exists():
            target.rmdir()  # empty, checked above
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return sorted(target.iterdir())


def _copy_tree(source: Path, dest: Path) -> None:
    """Copy a kit folder with the umask's modes (``copytree`` would copy the installed kit's)."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
                    copy_function=shutil.copyfile)  # copyfile: files get the umask's mode
    mode = 0o777 & ~current_umask()
    for folder in [dest, *(p for p in dest.rglob("*") if p.is_dir())]:
        folder.chmod(mode)  # copytree copies each folder's mode from the source


def _fill_course(target: Path, kit_materials: Path, kit_notebooks: Path, kit_exercises: Path | None) -> None:
    """Copy the kit's course into ``target`` and add the schemas, README, .gitignore and workflow."""
    _copy_tree(kit_materials, target / "materials")
    _copy_tree(kit_notebooks, target / "notebooks")
    if kit_exercises is not None and kit_exercises.is_dir():
        _copy_tree(kit_exercises, target / "exercises")
    schemas = target / SCHEMAS
    write_schemas(schemas)
    for path in sorted((target / "materials").rglob("*.yaml")):
        if path.name.startswith("."):
            continue
        write_atomic(path, with_modeline(path, path.read_text(encoding="utf-8"), schemas))
    for name in ("README.md", "gitignore", "handouts.yml"):
        text = (TEMPLATES / "course" / name).read_text(encoding="utf-8")
        dest = {"gitignore": target / ".gitignore",
                "handouts.yml": target / ".github" / "workflows" / "handouts.yml"}.get(name, target / name)
        write_atomic(dest, text)
