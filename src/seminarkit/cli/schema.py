"""``seminarkit schema``: write the JSON Schema of every materials file kind, for editors."""

from __future__ import annotations

import argparse
from pathlib import Path

from seminarkit.cli.common import EXIT_OK, command


def _setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("schemas"), metavar="DIR",
                        help="folder for the <kind>.schema.json files (default: schemas)")


@command("schema", _setup, "Write JSON Schemas of the materials files (for YAML editors).")
def _schema(args: argparse.Namespace) -> int:
    from seminarkit.content.schema_export import write_schemas
    from seminarkit.fileio import check_output_dir

    check_output_dir(args.out)
    written = write_schemas(args.out)
    print(f"wrote {len(written)} schemas to {args.out}")
    return EXIT_OK
