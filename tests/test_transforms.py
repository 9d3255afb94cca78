"""Notebook transforms are pure: a new notebook out, the input untouched, one concern each."""

from __future__ import annotations

import copy

from seminarkit.handouts.transforms import clear_outputs, drop_tagged


def _nb() -> dict[str, object]:
    return {"cells": [
        {"cell_type": "markdown", "metadata": {"tags": ["instructor-only"]}, "source": "# notes"},
        {"cell_type": "code", "metadata": {}, "source": "1 + 1", "outputs": [{"data": {"text/plain": "2"}}],
         "execution_count": 7},
        {"cell_type": "code", "metadata": {"tags": ["remove-input", "instructor-only"]}, "source": "k",
         "outputs": [], "execution_count": 8},
        {"cell_type": "raw", "metadata": {}, "source": "raw"},
    ], "metadata": {"kernelspec": {"name": "python3"}}}


def test_drop_tagged_removes_exactly_the_tagged_cells_of_any_type() -> None:
    nb = _nb()
    before = copy.deepcopy(nb)
    out = drop_tagged("instructor-only")(nb)
    assert [c["source"] for c in out["cells"]] == ["1 + 1", "raw"]
    assert nb == before
    assert drop_tagged("instructor-only").__name__ == "drop_instructor_only"


def test_drop_tagged_with_an_unused_tag_keeps_everything() -> None:
    assert drop_tagged("nothing-has-this")(_nb()) == _nb()


def test_clear_outputs_touches_only_code_cells_and_keeps_metadata() -> None:
    nb = _nb()
    out = clear_outputs(nb)
    code = [c for c in out["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert out["cells"][0] == nb["cells"][0] and out["cells"][3] == nb["cells"][3]
    assert out["metadata"] == nb["metadata"]
    assert nb["cells"][1]["outputs"] != []
