"""The ``statusgen`` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from statusgen import __version__
from statusgen.build import build, load_repository
from statusgen.errors import StatusgenError, ValidationFailed
from statusgen.timeutil import resolve_now

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="statusgen",
        description="Build a static status site from incident files kept in git.")
    top.add_argument("--version", action="version", version=f"statusgen {__version__}")
    top.add_argument("-C", "--directory", type=Path, default=Path("."), metavar="DIR",
                     help="run in the status repository at DIR (default: the current folder)")
    top.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build_cmd = commands.add_parser("build", help="build the site into site/",
                                    description="Validate the repository and build the site. "
                                    "Nothing is written if any file has an error.")
    build_cmd.add_argument("--out", type=Path, default=None, metavar="DIR",
                           help="output folder (default: site/ in the repository)")
    build_cmd.add_argument("--now", metavar="TIME",
                           help="build as of TIME (ISO 8601 with offset, or @EPOCH); "
                                "default: $SOURCE_DATE_EPOCH, else the clock")

    commands.add_parser("check", help="validate statusgen.yaml and incidents/ without building",
                        description="Report every problem as path:line: message. Exit 1 on errors.")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    root = args.directory
    try:
        if args.command == "build":
            return _build(root, args)
        return _check(root)
    except ValidationFailed as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} error(s); nothing was written", file=sys.stderr)
        return EXIT_INVALID
    except StatusgenError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130


def _build(root: Path, args: argparse.Namespace) -> int:
    try:
        now = resolve_now(args.now)
    except ValueError as exc:
        source = "--now" if args.now else "SOURCE_DATE_EPOCH"
        print(f"statusgen build: error: {source}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = args.out if args.out is not None else root / "site"
    result = build(root, out, now)
    print(result.summary())
    return EXIT_OK


def _check(root: Path) -> int:
    repo = load_repository(root)
    print(f"ok: {len(repo.incidents)} incidents and maintenance, "
          f"{len(repo.config.components)} components, no problems")
    return EXIT_OK
