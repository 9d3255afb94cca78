"""Tests: the build's cache re-runs a handout exactly when a materials file it reads changes.

For every materials file of one module, in turn: make an edit a reader would see, rebuild
incrementally, and compare every handout with a clean build of the same materials. A handout
the cache kept must be byte-identical to the clean build's (no dependency missed); the edit
must show in some handout (else the step proves nothing); and the glossary and a data set only
re-run the notebooks that show them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from seminarkit.content.materials import load_course
from seminarkit.editions import STUDENT, module_for_edition
from seminarkit.errors import MaterialsError
from seminarkit.handouts.build import BuildResult, build

REPO = Path(__file__).resolve().parents[1]
MODULE = "russian-army-1993-2022"
# Plain one-line prose values a reader sees (titles, terms, names, prompts, definitions).
PROSE = re.compile(r"^(\s*(?:- )?(?:title|term|name|short_title|definition|prompt|text|summary|description"
                   r"|publisher): )([A-Za-z][^\n#\"]*?)[ \t]*$", re.M)


MARK = "emended"  # the word an edit adds (the kit's materials never use it)


def _marks(materials: Path) -> int:
    """How often the student edition of the module shows :data:`MARK`; -1 when the materials are invalid."""
    try:
        course = load_course(materials)
    except MaterialsError:
        return -1
    module = module_for_edition(course.module(MODULE), STUDENT)
    parts = [module.meta, module.timeline, module.actors, module.glossary, module.quiz, module.roles,
             *module.sources.values(), *(d.provenance for d in module.datasets.values())]
    shown = json.dumps([p.model_dump(mode="json") for p in parts if p is not None])
    shown += "".join(d.csv_path.read_text(encoding="utf-8") for d in module.datasets.values())
    return shown.count(MARK)


def _edit_yaml(path: Path, materials: Path) -> None:
    """Append a word to every plain prose value (else to the first one the student edition shows).

    Every value at once: a notebook may show only some records (a selection of questions).
    """
    text = path.read_text(encoding="utf-8")
    before = _marks(materials)
    matches = [m for m in PROSE.finditer(text) if ": " not in m.group(2)]
    every = re.sub(PROSE, lambda m: m.group(0) if ": " in m.group(2) else f"{m.group(1)}{m.group(2)} {MARK}", text)
    for edited in [every, *(text[:m.end(2)] + f" {MARK}" + text[m.end(2):] for m in matches)]:
        path.write_text(edited, encoding="utf-8")
        if _marks(materials) > before:
            return
    path.write_text(text, encoding="utf-8")
    raise AssertionError(f"no editable prose value in {path}")


def _edit_csv(path: Path, materials: Path) -> None:
    """Change one value of the last data row with one (a number, else a label); keep the materials valid."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    before = _marks(materials)
    for row in reversed(rows[1:]):
        numbers = [c for c, v in enumerate(row) if re.fullmatch(r"\d+(\.\d+)?", v)
                   and not re.fullmatch(r"(19|20)\d\d", v)]
        prose = [c for c, v in enumerate(row) if " " in v.strip()]
        for col in [*reversed(numbers), *prose]:
            value = row[col]
            if col in prose:
                row[col] = f"{value} {MARK}"
            else:
                row[col] = str(int(value) + 1) if value.isdigit() else f"{float(value) * 1.1:.2f}"
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            path.write_text(out.getvalue(), encoding="utf-8")
            if _marks(materials) > (before if col in prose else -1):
                return
            row[col] = value
    path.write_text(text, encoding="utf-8")
    raise AssertionError(f"no editable value in {path}")


def _build(materials: Path, out: Path, *, force: bool = False) -> BuildResult:
    return build(materials, out_dir=out, modules=[MODULE], editions=["student"], formats=["html"], quiet=True,
                 force=force)


def _outputs(out: Path) -> dict[str, bytes]:
    site = out / "student" / MODULE
    return {p.name: p.read_bytes() for p in sorted(site.glob("*.html"))}


@pytest.mark.kernel
@pytest.mark.slow
def test_each_file_reruns_exactly_its_readers_and_misses_none(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(REPO / "materials", kit / "materials")
    shutil.copytree(REPO / "notebooks", kit / "notebooks")
    materials = kit / "materials"
    inc = tmp_path / "incremental"
    first = _build(materials, inc)
    assert first.ok and len(first.built) == 7
    files = sorted(p for p in (materials / "modules" / MODULE).rglob("*") if p.is_file())
    assert len(files) >= 8
    rebuilt_by: dict[str, set[str]] = {}
    for path in files:
        rel = path.relative_to(materials / "modules" / MODULE).as_posix()
        before = _outputs(inc)
        (_edit_csv if path.suffix == ".csv" else _edit_yaml)(path, materials)
        result = _build(materials, inc)
        assert result.ok, (rel, result.failed, result.leaks)
        rebuilt = {key.rsplit("/", 1)[1] for key in result.built}
        rebuilt_by[rel] = rebuilt
        after = _outputs(inc)
        changed = {name.removesuffix(".html") for name in after if after[name] != before[name]}
        assert changed, f"editing {rel} changed no handout: the step proves nothing"
        assert changed <= rebuilt, rel
        clean = _build(materials, tmp_path / f"clean-{path.name}", force=True)
        assert clean.ok
        reference = _outputs(tmp_path / f"clean-{path.name}")
        missed = sorted(name for name in reference if reference[name] != after[name])
        assert not missed, f"after editing {rel}, the cache kept stale handouts: {missed}"
        shutil.rmtree(tmp_path / f"clean-{path.name}")
    # A reader's view of "only what shows it": the glossary is shown by the walkthrough alone,
    # and a data set by the notebooks that chart it, never by all seven.
    assert rebuilt_by["glossary.yaml"] == {"02-walkthrough"}
    for rel, rebuilt in rebuilt_by.items():
        if rel.endswith(".csv"):
            assert "05-evidence" in rebuilt and len(rebuilt) <= 2, (rel, rebuilt)
