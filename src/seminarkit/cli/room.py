"""``seminarkit room serve | export``: the live classroom poll (a thin skin over seminarkit.room).

``serve`` starts the room on 127.0.0.1 unless ``--host`` says otherwise and prints the
instructor token and the control page's address; ``export`` writes a session's counts as CSV
and one figure per question, reading the database directly (the room may be running).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from seminarkit.cli.common import EXIT_INVALID, EXIT_OK, command, materials_option
from seminarkit.errors import SeminarkitError


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, metavar="FILE",
                        help="room database (default: room.sqlite3 in the course folder, "
                             "the materials folder's parent)")
    materials_option(parser)


def _setup(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="room_action", metavar="ACTION")
    parser.set_defaults(room_parser=parser)
    serve = sub.add_parser("serve", help="start the live room (control page, projector, student API)",
                           description="Start the live room. It binds 127.0.0.1 unless --host says "
                                       "otherwise and prints the instructor token.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; 0.0.0.0 lets students' machines in)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    serve.add_argument("--public-url", default=None, metavar="URL",
                       help="the address students put in their notebooks, shown on the projector "
                            "(e.g. http://10.0.0.5:8765; default: the address the projector was opened with)")
    _db_option(serve)
    export = sub.add_parser("export", help="write a session's counts (CSV) and one figure per question",
                            description="Write a session's per-question counts as CSV and a PNG bar "
                                        "chart per question beside it.")
    export.add_argument("session", metavar="SESSION", help="session id or join code")
    export.add_argument("--out", type=Path, required=True, metavar="FILE", help="CSV file to write")
    _db_option(export)


def _db_path(args: argparse.Namespace) -> Path:
    from seminarkit.room.store import default_db_path

    return Path(args.db) if args.db else default_db_path(args.materials)  # resolved once by the CLI


def _serve(args: argparse.Namespace) -> int:
    from seminarkit.room.app import RoomLimits
    from seminarkit.room.server import ServeOptions, serve

    if not 0 <= args.port <= 65535:
        raise SeminarkitError(f"--port must be from 0 to 65535, got {args.port}")
    db = _db_path(args)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how a room is meant to stop
        serve(ServeOptions(args.host, args.port, db, args.materials, RoomLimits(), args.public_url))
    print(f"seminarkit room: stopped; every answer is kept in {db}")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from seminarkit.content.materials import load_course
    from seminarkit.room.export import export_results
    from seminarkit.room.sessions import Room
    from seminarkit.room.store import RoomStore

    db = _db_path(args)
    if not db.is_file():
        raise SeminarkitError(f"{db}: no room database here (start one with `seminarkit room serve`, "
                              "or pass --db)")
    store = RoomStore(db)
    try:
        written = export_results(Room(store, load_course(args.materials)), args.session, args.out)
    finally:
        store.close()
    print(f"wrote {written[0]} and {len(written) - 1} figure(s) beside it")
    return EXIT_OK


_ACTIONS = {"serve": _serve, "export": _export}


@command("room", _setup, "Live classroom poll: serve the room, export a session's results.")
def _room(args: argparse.Namespace) -> int:
    action = _ACTIONS.get(getattr(args, "room_action", None) or "")
    if action is None:
        args.room_parser.print_help(sys.stderr)
        return EXIT_INVALID
    return action(args)
