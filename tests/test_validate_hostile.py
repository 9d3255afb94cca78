"""``seminarkit validate`` on hostile files: binary data, alias bombs, garbage rows, bytes.

Each file problem is one located line, whatever the file holds, and nothing raises.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seminarkit.content.integrity import MAX_ROW_PROBLEMS
from seminarkit.content.materials import validate

MOD = "modules/mini/"
Run = Callable[..., tuple[int, str, str]]
HEADER = "year,killed,injured,confidence,sources\n"


def _problem_lines(err: str) -> list[str]:
    lines = err.strip().splitlines()
    assert lines[-1].endswith("fix them and run 'seminarkit validate' again.")
    return lines[:-1]


def test_binary_csv_under_a_valid_header_is_one_line(mini_kit: Path, run_cli: Run) -> None:
    # A header the provenance accepts, then 160 lines of binary: one problem, not 160.
    garbage = b"".join(bytes([i % 7, 0xC3, 0xA9, i % 256 or 1, 0x2C, 0x0A]) for i in range(160))
    (mini_kit / MOD / "data/casualties.csv").write_bytes(HEADER.encode() + garbage)
    code, out, err = run_cli("validate", "--materials", str(mini_kit))
    assert (code, out) == (2, "")
    lines = _problem_lines(err)
    assert len(lines) == 1
    assert "casualties.csv:2: record 'casualties':" in lines[0]
    assert "not a text file" in lines[0] or "not UTF-8 text" in lines[0]


def test_invalid_utf8_names_the_line(mini_kit: Path, run_cli: Run) -> None:
    (mini_kit / MOD / "data/casualties.csv").write_bytes(HEADER.encode() + b"2016,\xff\xfe,1,H,src-a\n")
    _, _, err = run_cli("validate", "--materials", str(mini_kit))
    (line,) = _problem_lines(err)
    assert "casualties.csv:2: record 'casualties': not UTF-8 text (byte 0xff at line 2" in line


def test_many_bad_rows_are_capped(mini_kit: Path, run_cli: Run) -> None:
    rows = "".join(f"{2000 + i},many,1,H,src-a\n" for i in range(100))
    (mini_kit / MOD / "data/casualties.csv").write_text(HEADER + rows)
    _, _, err = run_cli("validate", "--materials", str(mini_kit))
    lines = _problem_lines(err)
    assert len(lines) == MAX_ROW_PROBLEMS + 1
    assert all("'many' is not a int" in line for line in lines[:-1])
    assert lines[-1].endswith(f"{100 - MAX_ROW_PROBLEMS} more row problem(s) in this file not "
                              "listed (fix these first)")


@pytest.mark.parametrize(("value", "message"), [
    ("inf", "'inf' is not a float"), ("nan", "'nan' is not a float"),
    ("1e999", "too large to be a finite number"), ("1,5", "values (expected 5)"),
    ("3.5e2", None), ("-0.0", None),
])
def test_float_columns_take_finite_ascii_numbers(mini_kit: Path, run_cli: Run, value: str,
                                                  message: str | None) -> None:
    prov = mini_kit / MOD / "data/casualties.yaml"
    prov.write_text(prov.read_text().replace("{name: killed, type: int}",
                                             "{name: killed, type: float}"))
    data = mini_kit / MOD / "data/casualties.csv"
    data.write_text(data.read_text().replace("2016,3498", f"2016,{value}"))
    code, _, err = run_cli("validate", "--materials", str(mini_kit))
    if message is None:
        assert (code, err) == (0, "")
    else:
        (line,) = _problem_lines(err)
        assert "casualties.csv:2: record 'row 2'" in line and message in line


def test_percent_columns_stay_within_100_unless_declared(mini_kit: Path, run_cli: Run) -> None:
    prov = mini_kit / MOD / "data/casualties.yaml"
    prov.write_text(prov.read_text().replace("{name: killed, type: int}",
                                             "{name: killed, type: float, unit: '%'}"))
    data = mini_kit / MOD / "data/casualties.csv"
    data.write_text(data.read_text().replace("2016,3498", "2016,100.5").replace("2017,3438",
                                                                                "2017,99.5"))
    _, _, err = run_cli("validate", "--materials", str(mini_kit))
    (line,) = _problem_lines(err)
    assert "casualties.csv:2: record 'row 2' field 'killed': 100.5 is above the column's maximum 100" in line
    prov.write_text(prov.read_text().replace("unit: '%'}", "unit: '%', maximum: 200}"))
    assert run_cli("validate", "--materials", str(mini_kit))[0] == 0


def test_duplicate_x_is_allowed_with_distinct_labels(mini_kit: Path, run_cli: Run) -> None:
    prov = mini_kit / MOD / "data/casualties.yaml"
    prov.write_text(prov.read_text() + "label: confidence\n")
    data = mini_kit / MOD / "data/casualties.csv"
    data.write_text(data.read_text().replace("2017,3438", "2016,3438"))  # rows: (2016,H), (2016,M)
    assert run_cli("validate", "--materials", str(mini_kit))[:3:2] == (0, "")
    data.write_text(data.read_text().replace("7015,M", "7015,H"))  # now (2016,H) twice
    _, _, err = run_cli("validate", "--materials", str(mini_kit))
    (line,) = _problem_lines(err)
    assert "casualties.csv:3: record 'row 3' field 'year': duplicate x value 2016 with label 'H'" in line


def test_data_set_names_are_ascii_ids(mini_kit: Path, run_cli: Run) -> None:
    data = mini_kit / MOD / "data"
    for suffix in (".csv", ".yaml"):
        (data / f"casualties{suffix}").rename(data / f"c\u0430sualties{suffix}")  # Cyrillic а
    _, _, err = run_cli("validate", "--materials", str(mini_kit))
    (line,) = _problem_lines(err)
    assert "c\u0430sualties.csv: record 'c\u0430sualties': data set name" in line
    assert "ASCII only" in line


@pytest.mark.timeout(60)  # turns an expansion (10**15 values) into a failure, not a hang
def test_huge_alias_bomb_is_refused_without_expanding(mini_kit: Path, run_cli: Run) -> None:
    levels = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 15)]
    (mini_kit / MOD / "glossary.yaml").write_text("\n".join(levels) + "\nterms: *l14\n")
    code, _, err = run_cli("validate", "--materials", str(mini_kit))
    assert code == 2
    (line,) = _problem_lines(err)
    assert "glossary.yaml:" in line and "more than 100,000 values (an alias bomb?)" in line


def test_control_characters_in_keys_stay_on_one_line(mini_kit: Path, run_cli: Run) -> None:
    path = mini_kit / MOD / "glossary.yaml"
    path.write_text(path.read_text().replace("    term: Moscow format\n",
                                             '    term: Moscow format\n    "col\\nour\\u2028": red\n'))
    _, _, err = run_cli("validate", "--materials", str(mini_kit))
    (line,) = _problem_lines(err)
    assert "record 'term-1' field 'col\\nour\\u2028': unknown field" in line


def test_plain_aliases_still_work(mini_kit: Path, run_cli: Run) -> None:
    path = mini_kit / MOD / "glossary.yaml"
    text = path.read_text().replace("sources: [src-a]", "sources: &s [src-a]", 1)
    path.write_text(text.replace("    sources: [src-a]", "    sources: *s"))
    assert run_cli("validate", "--materials", str(mini_kit))[:3:2] == (0, "")


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), name=st.sampled_from(
    ["glossary.yaml", "course", "data/casualties.csv", "data/casualties.yaml"]))
def test_arbitrary_bytes_give_located_one_line_problems(mini_kit: Path, data: bytes,
                                                        name: str) -> None:
    target = mini_kit / "course.yaml" if name == "course" else mini_kit / MOD / name
    original = target.read_bytes()
    target.write_bytes(data)
    try:
        course, problems = validate(mini_kit)  # must not raise
    finally:
        target.write_bytes(original)
    assert problems or course is not None
    for problem in problems:
        assert "\n" not in str(problem) and "\r" not in str(problem)
        assert str(problem).startswith(str(mini_kit))
