"""JSON Schemas of every materials file kind, generated from the pydantic models.

``seminarkit schema --out DIR`` writes ``<kind>.schema.json`` for each kind below, so editors
with the YAML language server validate and autocomplete as an instructor types (a materials
file starts with ``# yaml-language-server: $schema=<path to the schema>``). The schemas carry
the models' descriptions, enums, patterns and examples; instructor-only fields are marked
``x-instructor-only`` and, where the materials must fill them, required.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeAlias

from pydantic import BaseModel

from seminarkit.content.schema.actors import ActorsFile
from seminarkit.content.schema.course import CourseFile
from seminarkit.content.schema.data import DatasetProvenance
from seminarkit.content.schema.glossary import GlossaryFile
from seminarkit.content.schema.module import ModuleFile
from seminarkit.content.schema.quiz import QuizFile
from seminarkit.content.schema.roles import RolesFile
from seminarkit.content.schema.sources import SourcesFile
from seminarkit.content.schema.timeline import TimelineFile
from seminarkit.fileio import write_atomic
from seminarkit.markers import INSTRUCTOR_ONLY_FIELD

JSON: TypeAlias = "dict[str, JSON] | list[JSON] | str | int | float | bool | None"

# Schema kind -> (model, which file it describes).
KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "course": (CourseFile, "materials/course.yaml"),
    "module": (ModuleFile, "materials/modules/<id>/module.yaml"),
    "sources": (SourcesFile, "materials/modules/<id>/sources.yaml"),
    "timeline": (TimelineFile, "materials/modules/<id>/timeline.yaml"),
    "actors": (ActorsFile, "materials/modules/<id>/actors.yaml"),
    "glossary": (GlossaryFile, "materials/modules/<id>/glossary.yaml"),
    "quiz": (QuizFile, "materials/modules/<id>/quiz.yaml"),
    "roles": (RolesFile, "materials/modules/<id>/roles.yaml"),
    "dataset": (DatasetProvenance, "materials/modules/<id>/data/<name>.yaml"),
}
FILE_KINDS = {"course.yaml": "course", "module.yaml": "module", "sources.yaml": "sources",
              "timeline.yaml": "timeline", "actors.yaml": "actors", "glossary.yaml": "glossary",
              "quiz.yaml": "quiz", "roles.yaml": "roles"}
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def kind_of(path: Path) -> str | None:
    """Return the schema kind of a materials file (None for files that have none, such as CSVs)."""
    if path.parent.name == "data" and path.suffix == ".yaml":
        return "dataset"
    return FILE_KINDS.get(path.name)


def _mark_instructor_fields(node: JSON) -> None:
    """Turn pydantic's extra keys into ``x-instructor-only`` and make required ones required."""
    if isinstance(node, list):
        for item in node:
            _mark_instructor_fields(item)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        required = node.setdefault("required", [])
        for name, prop in properties.items():
            if not isinstance(prop, dict) or not prop.pop(INSTRUCTOR_ONLY_FIELD, False):
                continue
            prop["x-instructor-only"] = True
            if prop.pop("required_in_materials", False) and isinstance(required, list):
                required.append(name)
                options = prop.get("anyOf")
                if isinstance(options, list):
                    prop["anyOf"] = [o for o in options if o != {"type": "null"}]
                prop.pop("default", None)
            else:
                prop.pop("required_in_materials", None)
        if required == []:
            node.pop("required")
    for value in node.values():
        _mark_instructor_fields(value)


def schema_for(kind: str) -> dict[str, JSON]:
    """Return the JSON Schema of one materials file kind."""
    model, describes = KINDS[kind]
    schema: dict[str, JSON] = model.model_json_schema(mode="validation")
    _mark_instructor_fields(schema)
    return {"$schema": SCHEMA_DIALECT, "$id": f"https://seminarkit.invalid/schemas/{kind}.schema.json",
            "title": f"seminarkit {kind} file ({describes})", **{k: v for k, v in schema.items() if k != "title"}}


def write_schemas(out: Path) -> list[Path]:
    """Write every kind's schema into ``out``; return the files written."""
    return [write_atomic(out / f"{kind}.schema.json", json.dumps(schema_for(kind), indent=1, sort_keys=True) + "\n")
            for kind in KINDS]


def modeline(materials_file: Path, schemas_dir: Path) -> str:
    """Return the first line that points an editor's YAML language server at a file's schema."""
    import os

    kind = kind_of(materials_file)
    if kind is None:
        raise ValueError(f"{materials_file.name} has no schema")
    target = Path(os.path.relpath(schemas_dir / f"{kind}.schema.json", materials_file.parent))
    return f"# yaml-language-server: $schema={target.as_posix()}"
