"""``sources.yaml``: the bibliography every fact in a module points to."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from seminarkit.dates import Date
from seminarkit.schema.common import Id, Record, Text

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$")


def _check_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


Url = Annotated[str, AfterValidator(_check_url)]


class Source(Record):
    """A public source with a URL that resolves."""

    id: Id
    title: Text
    publisher: Text
    url: Url
    author: str | None = None
    date: Date | None = None
    note: str | None = None


class SourcesFile(Record):
    """The whole ``sources.yaml``."""

    sources: list[Source]
