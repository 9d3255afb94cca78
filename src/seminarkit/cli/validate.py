"""``seminarkit validate``: check every materials file and report all problems."""

from __future__ import annotations

import argparse
import sys

from seminarkit.cli.common import EXIT_INVALID, EXIT_OK, command, materials_option


@command("validate", materials_option, "Check every materials file and report all problems.")
def _validate(args: argparse.Namespace) -> int:
    from seminarkit.content.materials import summary_line, validate

    course, problems = validate(args.materials)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) found; fix them and run 'seminarkit validate' again.",
              file=sys.stderr)
        return EXIT_INVALID
    assert course is not None
    print(summary_line(course))
    return EXIT_OK
