"""``sources.yaml``: the bibliography every fact in a module points to."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, WithJsonSchema

from seminarkit.content.schema.common import Id, Record, Text
from seminarkit.dates import Date

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$")


def _check_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


Url = Annotated[str, AfterValidator(_check_url), WithJsonSchema({
    "type": "string", "pattern": "^https?://[^\\s/$.?#][^\\s]*\\.[^\\s]+$",
    "description": "The producing body's own http(s) address (docs/content-policy.md)."})]


SourceKind = Literal["primary", "scholarly", "press", "reference"]
"""primary: the producing body (UN agencies, governments, election commissions, official
documents, the analyses themselves); scholarly: named-author research; press: news
organisations with editorial standards and wire agencies; reference: encyclopaedias and
reference works of a named publisher."""


class Source(Record):
    """A public source with a URL that resolves."""

    id: Id
    title: Text
    publisher: Text
    url: Url
    kind: SourceKind = Field(description="What the source is (docs/content-policy.md): primary, scholarly, press "
                                         "or reference.")
    state_media: bool = False
    checked: Date | None = None
    author: str | None = None
    date: Date | None = None
    note: str | None = None


class SourcesFile(Record):
    """The whole ``sources.yaml``."""

    sources: list[Source]
