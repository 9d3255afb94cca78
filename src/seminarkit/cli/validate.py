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
    for module in course.modules.values():
        if module.meta.status == "stub":  # valid, but placeholders: say so, never fail
            print(f"seminarkit: note: module {module.id} is a stub (placeholders marked EXAMPLE; its handouts say "
                  f"DRAFT): replace them, then set status: complete in {module.path / 'module.yaml'}",
                  file=sys.stderr)
    return EXIT_OK
