"""The supervisor's protocol check: only the next step of this job is accepted, once.

These are the rules that make forged and replayed events worthless, checked one by one on
the state machine the supervisor runs (no processes needed).
"""

from __future__ import annotations

from seminarkit.grading.supervisor import Watch

PUBLIC = {"t1": [["t1/x", "x"]], "t2": [["t2/f(1)", "f(1)"]]}
HIDDEN = {"t1": [["t1/f(21)", "f(21)"]]}


def _watch() -> Watch:
    watch = Watch([("c1", False), ("t1", True), ("c2", False), ("t2", True)], PUBLIC, HIDDEN)
    assert watch.accept({"ev": "isolation", "layers": {"processes": True}}) is not None
    return watch


def _feed(watch: Watch, events: list[dict[str, object]]) -> list[bool]:
    return [watch.accept(e) is not None for e in events]


def test_an_honest_run_is_accepted_step_by_step() -> None:
    watch = _watch()
    run = [{"ev": "start", "step": "c1"}, {"ev": "end", "step": "c1", "status": "ok"},
           {"ev": "point", "test": "t1"}, {"ev": "start", "step": "probe:t1/x"},
           {"ev": "probe", "key": "t1/x", "value": 1}, {"ev": "point-done", "test": "t1"},
           {"ev": "start", "step": "c2"}, {"ev": "end", "step": "c2", "status": "ok"},
           {"ev": "point", "test": "t2"}, {"ev": "probe", "key": "t2/f(1)", "value": 2},
           {"ev": "point-done", "test": "t2"}, {"ev": "cells-done", "output_chars": 5},
           {"ev": "hidden-point", "test": "t1"}, {"ev": "probe", "key": "t1/f(21)", "value": 42},
           {"ev": "batch-done", "test": "t1"}, {"ev": "done"}]
    assert _feed(watch, run) == [True] * len(run)
    assert watch.phase == "done"
    assert watch.outgoing[0] == {"probes": PUBLIC["t1"], "snapshot": True}
    assert watch.outgoing[-1] == {"probes": HIDDEN["t1"]}


def test_out_of_order_and_repeated_events_are_rejected() -> None:
    watch = _watch()
    assert _feed(watch, [
        {"ev": "probe", "key": "t1/x", "value": 60},  # a value before its test's position
        {"ev": "start", "step": "c2"},  # not the next cell
        {"ev": "point", "test": "t1"},  # before c1 ran
        {"ev": "cells-done"},  # cells still due
        {"ev": "hidden-point", "test": "t1"},  # hidden batch before the cells are done
        {"ev": "done"},
        {"ev": "end", "step": "c1", "status": "ok"},  # c1 never started
    ]) == [False] * 7
    assert _feed(watch, [{"ev": "start", "step": "c1"}, {"ev": "start", "step": "c1"},
                         {"ev": "end", "step": "c1"}, {"ev": "end", "step": "c1"}]) == [
        True, False, True, False]
    assert _feed(watch, [{"ev": "point", "test": "t1"},
                         {"ev": "probe", "key": "t1/x", "value": 1},
                         {"ev": "probe", "key": "t1/x", "value": 2},  # once only
                         {"ev": "probe", "key": "t1/f(21)", "value": 42},  # hidden, too early
                         {"ev": "point-done", "test": "t1"}]) == [True, True, False, False, True]
    assert watch.outgoing[0] == {"probes": PUBLIC["t1"], "snapshot": True}


def test_nothing_textual_is_accepted_once_hidden_inputs_are_out() -> None:
    watch = Watch([("t1", True)], {"t1": []}, HIDDEN)
    watch.accept({"ev": "isolation", "layers": {}})
    assert _feed(watch, [{"ev": "point", "test": "t1"}, {"ev": "point-done", "test": "t1"},
                         {"ev": "cells-done"}, {"ev": "hidden-point", "test": "t1"}]) == [True] * 4
    assert _feed(watch, [{"ev": "end", "step": "t1", "status": "error", "evalue": "21"},
                         {"ev": "cells-done", "output_chars": 21},
                         {"ev": "point", "test": "t1"},
                         {"ev": "probe", "key": "t1/x", "error": {"detail": "21"}}]) == [False] * 4
    assert watch.rejected == 0  # counted by the caller (_handle), not by accept
