"""Tests: explorers driven headless — a control change changes the figure; parameters are validated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seminarkit.content.materials import load_course
from seminarkit.errors import SeminarkitError, UnknownChoiceError
from seminarkit.render.explorers.timeline import assign_lanes, filter_events, timeline_view
from seminarkit.render.notebook import start


@pytest.fixture(scope="module")
def module() -> Any:
    return load_course().module("afghanistan-2018")


def test_lanes_never_overlap() -> None:
    xs = [0.0, 0.1, 0.2, 3.0, 3.05]
    widths = [1.0, 1.0, 0.5, 1.0, 1.0]
    lanes = assign_lanes(xs, widths, gap=0.05)
    for i in range(len(xs)):
        for j in range(i):
            if lanes[i] == lanes[j]:
                assert xs[i] >= xs[j] + widths[j]


def test_narrowing_years_drops_events(module: Any) -> None:
    every = filter_events(module.timeline)
    narrow = filter_events(module.timeline, start=2017, end=2018)
    assert 0 < len(narrow) < len(every)
    assert all(2017 <= e.date.year <= 2018 for e in narrow)


def test_timeline_widget_redraws_when_the_years_change(module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: shown.extend(objs))
    from seminarkit.render.explorers.timeline import timeline_explorer

    box = timeline_explorer(module, interactive=True)
    first, last = box.children[0].children
    before = [o for o in shown if hasattr(o, "png")][-1]
    last.value = 2018
    first.value = 2017
    after = [o for o in shown if hasattr(o, "png")][-1]
    assert after.png != before.png
    assert int(after.alt.split()[2]) < int(before.alt.split()[2])  # "Timeline of N events ..."


def test_evidence_widget_follows_the_dataset_choice(module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: shown.extend(objs))
    from seminarkit.render.explorers.evidence import evidence_explorer

    box = evidence_explorer(module, interactive=True)
    pick = box.children[0].children[0]
    first = [o for o in shown if hasattr(o, "png")][-1].title
    pick.value = next(n for n in sorted(module.datasets) if module.datasets[n].provenance.title != first)
    assert [o for o in shown if hasattr(o, "png")][-1].title != first


def test_static_timeline_is_a_png_with_alt_text(module: Any) -> None:
    fig = timeline_view(module, start=2014, end=2019)
    assert fig.png.startswith(b"\x89PNG")
    assert b"Description" in fig.png  # alt text stored in the image
    bundle, meta = fig._repr_mimebundle_()
    assert 'alt="Timeline of' in bundle["text/html"]
    assert meta["image/png"]["alt"] == fig.alt


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"module": "atlantis"}, "choose one of: afghanistan-2018"),
    ({"module": "afghanistan-2018", "edition": "teacher"}, "choose one of: student, instructor"),
    ({"module": "afghanistan-2018", "interactive": "yes"}, "True or False"),
    ({"module": "afghanistan-2018", "session_minutes": 45}, "choose one of: 60, 90"),
])
def test_bad_parameters_are_clear_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(SeminarkitError, match=message):
        start("01-overview", **kwargs)


def test_simulation_is_not_offered_where_the_course_does_not_list_it(mini_kit: Path) -> None:
    with pytest.raises(SeminarkitError, match="does not apply to module 'mini'"):
        start("07-simulation", module="mini", materials_dir=mini_kit)


def test_unknown_choice_lists_values() -> None:
    err = UnknownChoiceError("edition", "x", ["student", "instructor"])
    assert str(err) == "unknown edition 'x'; choose one of: student, instructor"


@pytest.mark.parametrize("size", [6, 12, 30])
def test_role_assignment_seats_everyone(module: Any, size: int) -> None:
    from seminarkit.render.simulation import assign_roles

    seats = assign_roles(module.roles, size, seed=3)
    assert sorted(s for group in seats.values() for s in group) == list(range(1, size + 1))
    essential = {r.id for r in module.roles.roles if r.priority == 1}
    assert essential <= set(seats)
    assert seats == assign_roles(module.roles, size, seed=3)


@pytest.mark.parametrize("size", [2, 99, "ten"])
def test_role_assignment_rejects_impossible_classes(module: Any, size: Any) -> None:
    from seminarkit.render.simulation import ClassSizeError, assign_roles

    with pytest.raises(ClassSizeError):
        assign_roles(module.roles, size)
