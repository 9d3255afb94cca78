#!/usr/bin/env python3
"""Measure how long a student needs to recover the practice keys of a student kit by brute force.

This is the attack the README's threat model describes, run for real: it reads only a student
kit (``seminarkit student-kit``), never the instructor's materials. Each sealed key is a
salted SHA-256 (``seminarkit.quiz.keys``) whose salt is in the kit, so the student hashes
candidates until one matches:

- single choice, true/false, multiple choice: each option (or true/false);
- ordering and matching: each (position, item) and (left, option) pair;
- numeric: integers k on the question's grid, outwards from 0, until a grid hash matches
  (up to :data:`NUMERIC_LIMIT` candidates per question);
- short text: every run of one to three words found anywhere in the kit's own materials.

``exam_only`` questions carry no hash at all, so there is nothing to attack; the script
counts them. Usage::

    python benchmarks/practice_bruteforce.py [--module afghanistan-2018] [--kit DIR]

Without ``--kit`` it writes a kit of the repository's materials to a temporary folder first.
The figure printed is the one quoted in the README.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NUMERIC_LIMIT = 20_000_000  # candidates tried per numeric question (about 10 s of hashing)


@dataclass
class Outcome:
    """What the attack recovered."""

    recovered: dict[str, str] = field(default_factory=dict)  # question id -> what was found
    failed: list[str] = field(default_factory=list)  # sealed, not recovered
    no_key: list[str] = field(default_factory=list)  # nothing to attack (exam_only)
    hashes: int = 0  # candidate hashes computed
    seconds: float = 0.0


def _vocabulary(texts: Iterable[str]) -> set[str]:
    from seminarkit.quiz.keys import normalise_text

    found: set[str] = set()
    for text in texts:
        words = re.findall(r"[\w'’-]+", normalise_text(text))
        for size in (1, 2, 3):
            for i in range(len(words) - size + 1):
                found.add(" ".join(words[i:i + size]))
    return found


def attack(kit: Path, module_id: str) -> Outcome:
    """Recover what can be recovered of ``module_id``'s practice keys from the kit at ``kit``."""
    sys.path.insert(0, str(REPO / "src"))
    from seminarkit.content.materials import load_course
    from seminarkit.handouts.leaks import json_strings
    from seminarkit.quiz.keys import digest

    course = load_course(kit / "materials")
    module = course.module(module_id)
    quiz = module.need_quiz()
    outcome = Outcome()
    started = time.perf_counter()
    vocabulary: set[str] | None = None
    for question in quiz.questions:
        if not question.key_hash:
            outcome.no_key.append(question.id)
            continue
        key = json.loads(question.key_hash)
        salt = key["salt"]

        def h(*parts: str, salt: str = salt) -> str:
            outcome.hashes += 1
            return digest(salt, *parts)

        found: str | None = None
        kind = key["type"]
        if kind == "single":
            found = next((o for o in question.options if h(o) == key["h"]), None)  # type: ignore[union-attr]
        elif kind == "truefalse":
            found = next((v for v in ("true", "false") if h(v) == key["h"]), None)
        elif kind == "multiple":
            right = [o for o in question.options if h(o) in key["right"]]  # type: ignore[union-attr]
            found = "; ".join(right) if len(right) == len(key["right"]) else None
        elif kind == "ordering":
            items = question.items  # type: ignore[union-attr]
            order = {i: item for i in range(len(items)) for item in items if h(str(i), item) in key["pos"]}
            found = " < ".join(order[i] for i in sorted(order)) if len(order) == len(items) else None
        elif kind == "matching":
            pairs = {left: opt for left in question.left for opt in question.options  # type: ignore[union-attr]
                     if h(left, opt) in key["pairs"]}
            found = "; ".join(f"{k} -> {v}" for k, v in pairs.items()) if len(pairs) == len(key["pairs"]) else None
        elif kind == "numeric":
            grid = set(key["grid"])
            for step in range(NUMERIC_LIMIT):
                k = (step + 1) // 2 * (1 if step % 2 else -1)
                if h(str(k)) in grid:
                    found = f"{k}e{key['exp']} is accepted"
                    break
        elif kind == "text":
            if vocabulary is None:
                parts = [module.meta, module.timeline, module.actors, module.glossary, quiz, *module.sources.values()]
                dumps = (p.model_dump(mode="json") for p in parts if p is not None)
                vocabulary = _vocabulary(s for dump in dumps for s in json_strings(dump))
            accept = set(key["accept"])
            found = next((w for w in sorted(vocabulary) if h(w) in accept), None)
        if found is None:
            outcome.failed.append(question.id)
        else:
            outcome.recovered[question.id] = found
    outcome.seconds = time.perf_counter() - started
    return outcome


def main() -> int:
    """Write a kit (or use ``--kit``), attack one module's practice bank, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="afghanistan-2018")
    parser.add_argument("--kit", type=Path, default=None, help="an existing student kit")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    with tempfile.TemporaryDirectory() as tmp:
        kit = args.kit
        if kit is None:
            from seminarkit.studentkit import write_student_kit

            kit = write_student_kit(Path(tmp) / "kit", modules=[args.module])
        outcome = attack(kit, args.module)
    total = len(outcome.recovered) + len(outcome.failed) + len(outcome.no_key)
    print(f"module {args.module}: {total} questions; {len(outcome.no_key)} exam_only (no key in the kit)")
    print(f"recovered {len(outcome.recovered)} of {len(outcome.recovered) + len(outcome.failed)} sealed practice "
          f"keys in {outcome.seconds:.2f} s ({outcome.hashes:,} hashes, one core, Python)")
    if outcome.failed:
        print(f"not recovered: {', '.join(outcome.failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
