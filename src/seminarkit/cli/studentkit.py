"""``seminarkit student-kit``: the folder students get, holding nothing instructor-only."""

from __future__ import annotations

import argparse
from pathlib import Path

from seminarkit.cli.common import EXIT_OK, command, materials_option


def _setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="folder for the kit (new, empty, or a previous kit, which is replaced)")
    parser.add_argument("--modules", type=lambda v: [m.strip() for m in v.split(",") if m.strip()], default=None,
                        help="comma-separated module ids (default: all)")
    materials_option(parser)


@command("student-kit", _setup,
         "Write the student kit: notebooks and student-edition materials, no instructor-only value.")
def _student_kit(args: argparse.Namespace) -> int:
    from seminarkit.studentkit import write_student_kit

    out = write_student_kit(args.out, materials=args.materials, modules=args.modules)
    print(f"student kit written to {out} (hand out this folder; students run `seminarkit lab {out}`)")
    return EXIT_OK
