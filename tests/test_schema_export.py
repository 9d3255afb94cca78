"""JSON Schemas for editors: every real materials file validates, and broken files fail in both validators."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from seminarkit.content.schema_export import KINDS, kind_of, modeline, schema_for
from seminarkit.content.yamlio import read_yaml

REPO = Path(__file__).resolve().parents[1]
MATERIALS = REPO / "materials"
MATERIAL_FILES = sorted(p for p in MATERIALS.rglob("*.yaml") if kind_of(p))


def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = schema_for(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_kind_has_a_valid_schema_with_descriptions_and_enums() -> None:
    for kind in KINDS:
        schema = schema_for(kind)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["additionalProperties"] is False and schema.get("description")
    sources = schema_for("sources")["$defs"]["Source"]  # type: ignore[index]
    assert sources["properties"]["kind"]["enum"] == ["primary", "scholarly", "press", "reference"]
    assert "kind" in sources["required"] and "url" in sources["required"]
    quiz = json.dumps(schema_for("quiz"))
    assert '"x-instructor-only": true' in quiz


@pytest.mark.parametrize("path", MATERIAL_FILES, ids=[str(p.relative_to(MATERIALS)) for p in MATERIAL_FILES])
def test_real_materials_validate_against_the_exported_schema(path: Path) -> None:
    kind = kind_of(path)
    assert kind is not None
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in _validator(kind).iter_errors(read_yaml(path).data)]
    assert errors == []


# (file, old text, new text): each breaks the file for the kit's validator AND for the schema.
BREAKS = [
    ("modules/mini/sources.yaml", "    kind: press\n", ""),
    ("modules/mini/sources.yaml", "kind: press", "kind: blog"),
    ("modules/mini/timeline.yaml", "date: 2017-04-14", "date: last spring"),
    ("modules/mini/timeline.yaml", "id: ev-2", "id: Ev 2"),
    ("modules/mini/quiz.yaml", "    explanation: Russia hosted the meeting in Moscow in April 2017.\n", ""),
    ("modules/mini/quiz.yaml", "difficulty: hard", "difficulty: brutal"),
    ("modules/mini/actors.yaml", "interests: [Stability]", "interests: 7"),
    ("modules/mini/module.yaml", "short_title: Mini", "short_title: Mini\nshorter_title: M"),
]


@pytest.mark.parametrize(("rel", "old", "new"), BREAKS)
def test_broken_files_are_rejected_by_both_validators(
    mini_kit: Path, run_cli: Callable[..., tuple[int, str, str]], rel: str, old: str, new: str,
) -> None:
    path = mini_kit / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    code, _, err = run_cli("validate", "--materials", str(mini_kit))
    assert code == 2, err
    kind = kind_of(path)
    assert kind is not None
    assert list(_validator(kind).iter_errors(read_yaml(path).data)), "the JSON Schema accepted a broken file"


def test_the_fixture_kit_is_accepted_by_the_schemas(mini_kit: Path) -> None:
    for path in sorted(mini_kit.rglob("*.yaml")):
        kind = kind_of(path)
        if kind:
            assert not list(_validator(kind).iter_errors(read_yaml(path).data)), path


def test_schema_command_writes_one_file_per_kind(tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = run_cli("schema", "--out", str(tmp_path / "schemas"))
    assert code == 0 and out.strip() == f"wrote {len(KINDS)} schemas to {tmp_path / 'schemas'}"
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == sorted(f"{k}.schema.json" for k in KINDS)


def test_modeline_points_from_the_file_to_its_schema(tmp_path: Path) -> None:
    target = tmp_path / "materials" / "modules" / "m" / "quiz.yaml"
    assert modeline(target, tmp_path / "schemas") == "# yaml-language-server: $schema=../../../schemas/quiz.schema.json"
    data = tmp_path / "materials" / "modules" / "m" / "data" / "x.yaml"
    assert modeline(data, tmp_path / "schemas").endswith("=../../../../schemas/dataset.schema.json")
