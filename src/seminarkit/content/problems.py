"""Turn pydantic validation errors into located, one-line :class:`Problem` records."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from seminarkit.content.yamlio import Loc, YamlDoc
from seminarkit.errors import Problem

_FIELD_TAG = re.compile(r"^(?:Value error, )?@([A-Za-z_]+): (.*)$", re.S)


def _clean_loc(doc: YamlDoc, loc: tuple[Any, ...]) -> Loc:
    """Drop discriminator tags pydantic inserts into the location of tagged unions."""
    node: Any = doc.data
    out: list[str | int] = []
    for key in loc:
        in_dict = isinstance(node, dict) and key in node
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if in_dict or in_list:
            node = node[key]
            out.append(key)
        elif isinstance(node, dict) and key == node.get("type"):
            continue  # the union tag, not part of the data
        else:
            out.append(key)
            node = None
    return tuple(out)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(err: dict[str, Any], model: type[BaseModel] | None) -> str:
    kind = err["type"]
    msg = str(err["msg"])
    if kind == "missing":
        return "missing (this field is required)"
    if kind == "extra_forbidden":
        allowed = ", ".join(model.model_fields) if model is not None else "the documented fields"
        return f"unknown field (expected one of: {allowed})"
    if kind == "missing_instructor_field":
        return "missing (this instructor-only field is required in the materials)"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        return f"unknown type {ctx.get('tag')!r} (expected one of: {ctx.get('expected_tags')})"
    if kind == "union_tag_not_found":
        return "missing (this field is required; it says which kind of record this is)"
    text = msg.removeprefix("Value error, ")
    if "input" in err and kind not in {"value_error", "assertion_error"}:
        return f"{text} (got {_short(err['input'])})"
    return text


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """Best-effort: the model class that owns the last key of ``loc``."""
    current: Any = root
    owner: type[BaseModel] | None = root
    for key in loc[:-1]:
        if isinstance(key, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(key)
        if field is None:
            return None
        current = _inner_model(field.annotation)
        owner = current if isinstance(current, type) else None
    return owner if isinstance(owner, type) and issubclass(owner, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", ())
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in args:
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def record_label(doc: YamlDoc, loc: Loc) -> str | None:
    """Name the record at ``loc``: its ``id`` if it has one, else its path (``events[3]``)."""
    rid = doc.record_id(loc)
    if rid is not None:
        return rid
    parts = [f"[{k}]" if isinstance(k, int) else f".{k}" for k in loc[:-1]]
    label = "".join(parts).lstrip(".")
    return label or None


def problems_from_validation(
    doc: YamlDoc, exc: ValidationError, root: type[BaseModel]
) -> list[Problem]:
    """Convert every error of ``exc`` into a Problem located in ``doc``."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(doc, tuple(err["loc"]))
        message = _describe(dict(err), _model_at(root, loc))
        field: str | None = next((k for k in reversed(loc) if isinstance(k, str)), None)
        tagged = _FIELD_TAG.match(str(err["msg"]))
        if err["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            field = str((err.get("ctx") or {}).get("discriminator", "type")).strip("'")
            loc = (*loc, field)
        elif err["type"] == "missing_instructor_field":
            field = str((err.get("ctx") or {}).get("name", field))
            loc = (*loc, field)
        elif tagged:
            field, message = tagged.group(1), tagged.group(2)
            loc = (*loc, field)
        problems.append(
            Problem(str(doc.path), doc.line_of(loc), record_label(doc, loc), field, message)
        )
    return problems
