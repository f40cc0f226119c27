"""The ``statusgen`` command line: parsing, dispatch and everything that is printed."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from statusgen import __version__
from statusgen.commands import check
from statusgen.commands.build import build
from statusgen.derive import policy
from statusgen.errors import Problem, StatusgenError, ValidationFailed, printable
from statusgen.load.repository import load_repository
from statusgen.timeutil import iso, resolve_now
from statusgen.vocabulary import INCIDENT_IMPACTS as IMPACTS
from statusgen.vocabulary import IncidentStatus, MaintenanceStatus

if TYPE_CHECKING:
    from statusgen.importers import Source

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
BUILD_REPORT_LIMIT = 20


# What add_subparsers returns, under the only name argparse gives it: each command adds its parser.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class UsageError(Exception):
    """A bad argument value, reported like argparse reports its own (exit 2)."""


class _PrintableFormatter(logging.Formatter):
    """Log lines with what they quote from content escaped (see errors.printable); a traceback
    under --debug keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return printable(super().formatMessage(record))


# What a time argument of the editing commands may look like (all three are the same instant).
TIME_EXAMPLE = "2026-12-01T14:05:00+01:00, 2026-12-01T13:05:00Z or @1796130300"
# The status `new --component ID` gives, by impact: workspace.DEFAULT_STATUS, which the help quotes
# without importing the editing code into every command.
NEW_COMPONENT_DEFAULTS = "critical: major_outage, major: partial_outage, minor: degraded_performance, none: operational"
# Options whose value is free text, which must be quoted when it has spaces.
TEXT_OPTIONS = ("--message",)


def _edit_instant(value: str) -> datetime:
    """A time argument of the editing commands: ISO 8601 with an offset, or @EPOCH."""
    if not value.strip():
        raise argparse.ArgumentTypeError(f"no time given; write it like {TIME_EXAMPLE}")
    try:
        return resolve_now(value.strip(), {})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}; write it like {TIME_EXAMPLE}") from None


def _port(value: str) -> int:
    """``--port``: a TCP port number, checked before the first build rather than at the bind after it."""
    try:
        port = int(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}: give a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range: give a number from 0 to 65535")
    return port


def _edit_now(value: str) -> str:
    """``--now`` of the editing commands, checked as it is parsed so that a bad one shows an example."""
    _edit_instant(value)
    return value


def _unrecognized(argv: list[str], extra: list[str], command: str) -> str:
    """argparse's complaint about ``extra``; for the editing commands, which take free text, with
    a hint when they look like text that was not quoted."""
    message = f"unrecognized arguments: {' '.join(extra)}"
    if command not in ("new", "update", "resolve", "postmortem"):
        return message
    if extra[0].startswith("-"):
        return message + f" (see 'statusgen {command} --help')"
    generic = message + " (quote text that has spaces, so that it is one argument)"
    for index in range(1, len(argv)):
        if argv[index] != extra[0]:
            continue
        before = argv[index - 1]
        option, equals, first = before.partition("=")
        if before.startswith("-") and not (equals and option in TEXT_OPTIONS):
            continue
        if not equals:
            option = argv[index - 2] if index >= 2 and argv[index - 2].startswith("-") else ""
            first = before
        if option and option not in TEXT_OPTIONS:
            return generic
        words = [first]
        for word in argv[index:]:
            if word.startswith("-"):
                break
            words.append(word)
        quoted = shlex.quote(" ".join(words))
        return (
            message + f" (quote text that has spaces, so that it is one argument: "
            f"{option + ' ' if option else ''}{quoted})"
        )
    return generic


NOW_HELP = "act as of TIME (ISO 8601 with offset, or @EPOCH); default: $SOURCE_DATE_EPOCH, else the clock"
# The notify targets' documentation, which the help links to instead of explaining delivery itself.
NOTIFY_DOCS = "https://github.com/statusgen/statusgen/blob/main/docs/notify.md"


def parser() -> argparse.ArgumentParser:
    """The command line: the options every command takes, then each command's own."""
    top = argparse.ArgumentParser(
        prog="statusgen", description="Build a static status site from incident files kept in git."
    )
    top.add_argument("--version", action="version", version=f"statusgen {__version__}")
    top.add_argument(
        "-C",
        "--directory",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="run in the status repository at DIR (default: the current folder)",
    )
    top.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # In the order the help lists them.
    for add in (
        _init_parser,
        _build_parser,
        _check_parser,
        _new_parser,
        _update_parser,
        _resolve_parser,
        _postmortem_parser,
        _serve_parser,
        _notify_parser,
        _templates_parser,
        _import_parser,
    ):
        add(commands)
    return top


def _init_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "init",
        help="create a new status repository in DIR",
        description="Create statusgen.yaml (its components' uptime starting today), "
        "incidents/ with an example, the publishing workflow, requirements.txt "
        "naming the statusgen that is running, .gitignore and a README, and "
        "run git init unless DIR is inside a git repository. Never overwrites "
        "a file.",
    )
    cmd.add_argument("target", type=Path, metavar="DIR")
    cmd.add_argument("--now", metavar="TIME", help=NOW_HELP + "; the components' since: is its day")


def _build_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "build",
        help="build the site into site/",
        description="Validate the repository and build the site. Nothing is written "
        "if any file has an error; policy problems are reported, not fatal.",
    )
    cmd.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="output folder (default: site/ in the repository)"
    )
    cmd.add_argument("--now", metavar="TIME", help=NOW_HELP)
    cmd.add_argument(
        "--no-cache", action="store_true", help="ignore and do not update the build cache in .statusgen/cache/"
    )
    cmd.add_argument(
        "--offline",
        action="store_true",
        help="fetch no upstream status page: show what is kept of each in .statusgen/upstream/",
    )
    cmd.add_argument(
        "--jobs", type=int, default=None, metavar="N", help="processes to render a cold build with (default: 1)"
    )


def _check_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "check",
        help="validate the repository and its communication policy",
        description="Report every problem as path:line: message. Exit 1 on errors (and on warnings with --strict).",
    )
    cmd.add_argument("--now", metavar="TIME", help=NOW_HELP)
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    cmd.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="text: path:line: message (default); github: workflow commands, so that a "
        "GitHub Actions run marks each problem on its file and line",
    )


def _new_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "new",
        help="write a new incident or maintenance file",
        description="Write incidents/YYYY-MM-DD-slug.md with its first update, stamped "
        "now. Without --message the update comes from a template.",
    )
    cmd.add_argument("title", metavar="TITLE")
    cmd.add_argument(
        "--impact",
        choices=[str(i) for i in IMPACTS],
        default=None,
        help="impact of an incident (required unless --maintenance)",
    )
    cmd.add_argument(
        "--component",
        action="append",
        default=[],
        metavar="ID[=STATUS]",
        help="an affected component and its status (repeat for several); ID alone takes the "
        f"impact's default status ({NEW_COMPONENT_DEFAULTS}); with --maintenance, give "
        "ids only",
    )
    cmd.add_argument("--maintenance", action="store_true", help="a maintenance window instead of an incident")
    cmd.add_argument(
        "--start", type=_edit_instant, metavar="TIME", help=f"maintenance window start (e.g. {TIME_EXAMPLE})"
    )
    cmd.add_argument("--end", type=_edit_instant, metavar="TIME", help="maintenance window end")
    cmd.add_argument("--template", metavar="NAME", help="message template (see 'statusgen templates')")
    cmd.add_argument("--message", metavar="TEXT", help="the first update's message (markdown; quote it)")
    cmd.add_argument(
        "--lang",
        metavar="LANG",
        help="instead, write the translation of incident --for ID to LANG, one of site.languages: "
        "incidents/ID.LANG.md with TITLE and the message of ID's first update",
    )
    cmd.add_argument("--for", dest="for_id", metavar="ID", help="with --lang: the incident translated")
    cmd.add_argument("--now", type=_edit_now, metavar="TIME", help=NOW_HELP)


def _update_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "update",
        help="add an update to an incident or maintenance",
        description="Append an update to the file of ID (its file name, a unique "
        "prefix of it, or 'latest'), keeping everything else as written.",
    )
    cmd.add_argument("ident", metavar="ID")
    cmd.add_argument(
        "--status",
        choices=IncidentStatus.words() + MaintenanceStatus.words(),
        help="the update's status (required, but with --lang)",
    )
    cmd.add_argument(
        "--component",
        action="append",
        default=[],
        metavar="ID=STATUS",
        help="a component's status from this update on, e.g. api=degraded_performance "
        "(repeat for several); the status must be given",
    )
    _message_options(cmd, required=False)  # one is, but with --lang (see _update)
    cmd.add_argument(
        "--lang",
        metavar="LANG",
        help="instead, add to ID's translation to LANG (incidents/ID.LANG.md) the message of ID's latest update, "
        "or of the one --at TIME",
    )
    cmd.add_argument(
        "--at",
        type=_edit_instant,
        metavar="TIME",
        help="with --lang: the time of the update translated, as its at: gives it (default: the latest)",
    )
    cmd.add_argument("--now", type=_edit_now, metavar="TIME", help=NOW_HELP + "; the update is stamped with it")


def _resolve_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "resolve",
        help="resolve an incident (or complete a maintenance)",
        description="Append the resolving update to ID (file name, unique prefix, or "
        "'latest'). Say when service came back and what was done.",
    )
    cmd.add_argument("ident", metavar="ID")
    _message_options(cmd)
    cmd.add_argument("--now", type=_edit_now, metavar="TIME", help=NOW_HELP + "; the update is stamped with it")


def _postmortem_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "postmortem",
        help="add a postmortem skeleton to an incident",
        description="Add a '## Postmortem' section (summary, impact, root cause, "
        "timeline, what went well, what went wrong, actions) to the body.",
    )
    cmd.add_argument("ident", metavar="ID")


def _serve_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "serve",
        help="build, serve on localhost and rebuild on every change",
        description="Build the site, serve it, and rebuild when statusgen.yaml, "
        "incidents/, templates/ or themes/ change; open pages reload.",
    )
    cmd.add_argument(
        "--port", type=_port, default=8000, help="port to listen on, 0-65535; 0 picks a free one (default: 8000)"
    )
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    cmd.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="output folder (default: site/ in the repository)"
    )
    cmd.add_argument(
        "--now",
        metavar="TIME",
        help="show the site as of TIME on every rebuild (ISO 8601 with offset, or @EPOCH); "
        "default: $SOURCE_DATE_EPOCH, else the clock at each rebuild",
    )


def _notify_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "notify",
        help="announce the updates added since REF to the notify targets",
        description="Send each incident and maintenance update added to incidents/ between REF and HEAD to "
        "every target in statusgen.yaml's notify: list whose components match (webhook, slack, "
        "discord, teams, email), oldest first, reading their addresses from the environment "
        "variables they name (url_env, smtp_env). Prints a line for each delivery, then the "
        "counts; a rerun sends nothing twice. Exit 1 if any delivery failed.",
        epilog=f"How delivery, retries and the record in .statusgen/delivered.json work: {NOTIFY_DOCS}",
    )
    cmd.add_argument(
        "--since",
        required=True,
        metavar="REF",
        help="the commit already announced (a commit id, branch or tag), e.g. the commit "
        "before a push, or HEAD for no new range; REF must be in the clone, so fetch "
        "enough history",
    )
    cmd.add_argument(
        "--dry-run", action="store_true", help="print what would be sent to each target; send and record nothing"
    )
    cmd.add_argument("--now", metavar="TIME", help=NOW_HELP + "; updates stamped later are held back")


def _templates_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "templates",
        help="list the message templates",
        description="List the built-in message templates and the repository's own "
        "(templates/NAME.md, which override built-in ones of the same name), in each "
        "language of the site, the default first (another language's own are in "
        "templates/LANG/NAME.md).",
    )
    cmd.add_argument("--lang", metavar="LANG", help="list only the templates in LANG, one of the site's languages")


IMPORT_SOURCES = ("cstate", "statuspage")


def _import_parser(commands: Subparsers) -> None:
    cmd = commands.add_parser(
        "import",
        help="move a history in from another status page",
        description="Read another status page (cstate: its files at PATH; statuspage: its API, with --url or "
        "--page-id) and write its components into statusgen.yaml (appended after what is there) and each of "
        "its incidents into incidents/. A rerun writes only what changed in the source; a file edited since "
        "it was imported is left alone. Ends with what could not be carried over.",
    )
    cmd.add_argument("source", choices=IMPORT_SOURCES, metavar="SOURCE", help="where from: cstate, statuspage")
    cmd.add_argument("path", type=Path, nargs="?", metavar="PATH", help="cstate: the cState site's folder")
    cmd.add_argument("--url", metavar="URL", help="statuspage: the page's public address (its v2 API)")
    cmd.add_argument(
        "--page-id", metavar="ID", help="statuspage: the page's id, read through the management API with a key"
    )
    cmd.add_argument(
        "--api-key-env",
        metavar="NAME",
        default="STATUSPAGE_API_KEY",
        help="statuspage: the environment variable holding the API key (default: STATUSPAGE_API_KEY)",
    )
    cmd.add_argument(
        "--api-url",
        metavar="URL",
        help="statuspage: the management API's address (default: $STATUSPAGE_API_URL, else https://api.statuspage.io)",
    )
    cmd.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")


def _message_options(cmd: argparse.ArgumentParser, required: bool = True) -> None:
    group = cmd.add_mutually_exclusive_group(required=required)
    group.add_argument("--message", metavar="TEXT", help="the update's message (markdown)")
    group.add_argument("--template", metavar="NAME", help="fill the message from a template to edit")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    top = parser()
    try:
        args, extra = top.parse_known_args(argv)
        if extra:
            top.error(_unrecognized(list(sys.argv[1:] if argv is None else argv), extra, args.command))
    except SystemExit as exc:
        return int(exc.code or 0)
    handler = logging.StreamHandler()
    handler.setFormatter(_PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, handlers=[handler])
    try:
        return COMMANDS[args.command](args.directory, args)
    except UsageError as exc:
        print(printable(f"statusgen {args.command}: error: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except ValidationFailed as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} error(s); nothing was written", file=sys.stderr)
        return EXIT_INVALID
    except StatusgenError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)  # a Problem, printable already
        return EXIT_INVALID
    except OSError as exc:
        if args.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(printable(f"error: {where}{exc.strerror or exc}"), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130


def _now(args: argparse.Namespace) -> datetime:
    try:
        return resolve_now(getattr(args, "now", None))
    except ValueError as exc:
        source = "--now" if getattr(args, "now", None) else "SOURCE_DATE_EPOCH"
        raise UsageError(f"{source}: {exc}") from None


def _report(problems: list[Problem], limit: int | None = None) -> None:
    for problem in problems[:limit]:
        print(problem, file=sys.stderr)
    if limit is not None and len(problems) > limit:
        print(f"... and {len(problems) - limit} more: run 'statusgen check' for all", file=sys.stderr)


def _build(root: Path, args: argparse.Namespace) -> int:
    now = _now(args)
    out = args.out if args.out is not None else root / "site"
    result = build(
        root,
        out,
        now,
        use_cache=not args.no_cache,
        jobs=args.jobs,
        report=lambda line: print(printable(line), file=sys.stderr),
        fetch=not args.offline,
    )
    if result.cache is not None:
        _report(result.cache.problems)
    found = policy.check(result.repo, now)
    line = result.summary()
    if found:
        errors = sum(not p.warning for p in found)
        line += f"; policy: {errors} error(s), {len(found) - errors} warning(s)"
    print(printable(line))
    _report(found, BUILD_REPORT_LIMIT)
    return EXIT_OK


def _check(root: Path, args: argparse.Namespace) -> int:
    now = _now(args)
    try:
        checked = check.check(root, now)
    except StatusgenError as exc:
        if args.format != "github":
            raise
        problems = check.load_problems(exc)
        _annotate(root, problems)
        print(f"{len(problems)} error(s)", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "github":
        _annotate(root, checked.problems)
    else:
        _report(checked.problems)
    print(printable(checked.summary()))
    return EXIT_INVALID if checked.failed(args.strict) else EXIT_OK


def _annotate(root: Path, problems: list[Problem]) -> None:
    for line in check.annotate(root, problems, Path.cwd()):
        print(line)


def _init(root: Path, args: argparse.Namespace) -> int:
    from statusgen.commands import init

    target = args.target if args.target.is_absolute() else root / args.target
    created = init.init(target, _now(args))
    for path in created.paths:
        print(f"created {path}")
    for note in created.notes:
        print(note)
    for warning in created.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"next: cd {target} && statusgen build")
    return EXIT_OK


# The editing commands import what they need when run, so a build starts faster.
def _new(root: Path, args: argparse.Namespace) -> int:
    from statusgen.authoring import workspace
    from statusgen.load import messages

    if args.lang is not None:
        return _new_translation(root, args)
    if args.for_id is not None:
        raise UsageError("--for is for --lang: it names the incident a translation is of")
    if args.maintenance:
        if args.start is None or args.end is None:
            raise UsageError("--maintenance needs --start and --end")
        if args.impact is not None:
            raise UsageError("maintenance has no --impact")
    elif args.impact is None:
        raise UsageError("--impact is required: " + "|".join(IMPACTS))
    elif args.start or args.end:
        raise UsageError("--start and --end are for --maintenance")
    if args.message is not None and args.template is not None:
        raise UsageError("give --message or --template, not both")
    at = _now(args)
    with _argument_errors():
        written = workspace.new(
            root,
            workspace.load(root),
            args.title,
            impact=args.impact or "maintenance",
            components=args.component,
            at=at,
            maintenance=args.maintenance,
            start=args.start,
            end=args.end,
            template=args.template,
            message=args.message,
        )
    _warn(written.warnings)
    print(written.path.relative_to(root) if written.path.is_relative_to(root) else written.path)
    if messages.left_in(written.incident, root):
        print("fill in each [[...]] before you commit: a build refuses to publish them", file=sys.stderr)
    return EXIT_OK


def _new_translation(root: Path, args: argparse.Namespace) -> int:
    from statusgen.authoring import translate, workspace
    from statusgen.load import messages

    given = [o for o, v in (("--impact", args.impact), ("--maintenance", args.maintenance)) if v]
    given += [o for o, v in (("--component", args.component), ("--start", args.start), ("--end", args.end)) if v]
    if given:
        raise UsageError(
            f"{', '.join(given)}: a translation has only a title and messages; everything else "
            "comes from the incident's own file"
        )
    if args.for_id is None:
        raise UsageError("--lang needs --for ID: the incident to translate")
    if args.message is not None and args.template is not None:
        raise UsageError("give --message or --template, not both")
    with _argument_errors():
        written = translate.new_translation(
            root,
            workspace.load(root),
            args.title,
            language=args.lang,
            ident=args.for_id,
            message=args.message,
            template=args.template,
        )
    _warn(written.warnings)
    print(written.path.relative_to(root) if written.path.is_relative_to(root) else written.path)
    if messages.left_in_translation(written.translation, root):
        print("fill in each [[...]] before you commit: a build refuses to publish them", file=sys.stderr)
    return EXIT_OK


def _update(root: Path, args: argparse.Namespace) -> int:
    from statusgen.authoring import workspace

    if args.lang is not None:
        return _update_translation(root, args)
    if args.at is not None:
        raise UsageError("--at is for --lang: a new update is stamped with --now")
    if args.status is None:
        raise UsageError("the following arguments are required: --status")
    if args.message is None and args.template is None:
        raise UsageError("one of the arguments --message --template is required")
    at = _now(args)
    with _argument_errors():
        written = workspace.add_update(
            root,
            workspace.load(root),
            args.ident,
            status=args.status,
            at=at,
            components=args.component,
            message=args.message,
            template=args.template,
        )
    _warn(written.warnings)
    print(f"{written.incident.path}: added '{written.incident.last_update.status}' update")
    return EXIT_OK


def _update_translation(root: Path, args: argparse.Namespace) -> int:
    from statusgen.authoring import translate, workspace
    from statusgen.load import messages

    given = [o for o, v in (("--status", args.status), ("--component", args.component)) if v]
    if given:
        raise UsageError(
            f"{', '.join(given)}: not with --lang: a translation takes statuses from the incident's own file"
        )
    with _argument_errors():
        written = translate.add_translated_update(
            root,
            workspace.load(root),
            args.ident,
            language=args.lang,
            at=args.at,
            message=args.message,
            template=args.template,
        )
    _warn(written.warnings)
    print(f"{written.translation.path}: added the message of the update at {iso(written.update.at)}")
    if messages.left_in_translation(written.translation, root):
        print("fill in each [[...]] before you commit: a build refuses to publish them", file=sys.stderr)
    return EXIT_OK


def _resolve(root: Path, args: argparse.Namespace) -> int:
    from statusgen.authoring import workspace

    at = _now(args)
    with _argument_errors():
        written = workspace.resolve(
            root, workspace.load(root), args.ident, at=at, message=args.message, template=args.template
        )
    _warn(written.warnings)
    print(f"{written.incident.path}: added '{written.incident.last_update.status}' update")
    return EXIT_OK


def _postmortem(root: Path, args: argparse.Namespace) -> int:
    from statusgen.authoring import workspace

    written = workspace.add_postmortem(root, workspace.load(root), args.ident)
    _warn(written.warnings)
    print(f"{written.incident.path}: added a postmortem skeleton; fill in each [[...]]")
    return EXIT_OK


@contextmanager
def _argument_errors() -> Iterator[None]:
    """An editing command's complaint about a command-line value is a usage error (exit 2)."""
    from statusgen.authoring.workspace import ArgumentError

    try:
        yield
    except ArgumentError as exc:
        raise UsageError(str(exc)) from None


def _warn(problems: Sequence[Problem]) -> None:
    """Problems of files an edit did not touch: worth fixing, not in the way of this edit."""
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)


def _serve(root: Path, args: argparse.Namespace) -> int:
    from statusgen.commands.serve import serve

    def report(line: str) -> None:
        print(printable(line), file=sys.stderr if "error" in line else sys.stdout, flush=True)

    # A pinned instant holds for every rebuild; otherwise each rebuild reads the clock afresh.
    pinned = _now(args) if args.now or os.environ.get("SOURCE_DATE_EPOCH", "").strip() else None
    serve(
        root,
        args.out if args.out is not None else root / "site",
        args.host,
        args.port,
        report,
        now=None if pinned is None else lambda: pinned,
    )
    return EXIT_OK


def _templates(root: Path, args: argparse.Namespace) -> int:
    from statusgen.load import messages
    from statusgen.load.config import load_config

    problems: list[Problem] = []
    config = load_config(root, problems)
    if problems or config is None:
        raise ValidationFailed(problems)
    site = config.site
    languages = site.all_languages
    if args.lang is not None:
        if args.lang not in languages:
            raise UsageError(f"--lang {args.lang}: not one of the site's languages (they are {', '.join(languages)})")
        languages = (args.lang,)
    for language in languages:
        if len(site.all_languages) > 1:
            print(printable(f"{language}{' (default)' if language == site.language else ''}:"))
        for template in messages.available(root, language, language == site.language).values():
            # Names and first lines come from the repository's templates/ folder.
            print(printable(f"{template.name:<14} {template.source:<28} {template.summary[:70]}"))
    return EXIT_OK


def _notify(root: Path, args: argparse.Namespace) -> int:
    from statusgen.notify import runner
    from statusgen.notify.gitdiff import RefError

    now = _now(args)
    try:
        repo = load_repository(root)
    except ValidationFailed as exc:
        _report(exc.problems)
        print(f"{len(exc.problems)} error(s); nothing was sent", file=sys.stderr)
        return EXIT_INVALID
    if not repo.config.notify:
        _say("notify: statusgen.yaml has no notify targets; nothing to send")
        return EXIT_OK
    record = runner.DeliveryRecord(root / runner.RECORD)
    try:
        batch = runner.find(root, repo, args.since, record)
    except RefError as exc:
        raise UsageError(str(exc)) from None
    span = f"{batch.base[:12]}..{batch.head[:12]}"
    if batch.base != batch.since:
        _say(f"notify: the last run covered up to {batch.base[:12]}, before {batch.since[:12]}: starting there")
    for key in batch.dropped:
        ident, _, at = key.rpartition("@")
        _say(f"{ident} {at}: dropped: held back earlier, no longer published")
    counts: Counter[str] = Counter()
    for outcome in runner.run(root, repo, batch, now, dry_run=args.dry_run, record=record):
        counts[outcome.result] += 1
        _say(str(outcome))
        if outcome.preview:
            # The preview quotes the message as sent, line by line; each line is escaped on its own
            # (splitting at line feeds only: any other break is shown as an escape).
            for line in outcome.preview.removesuffix("\n").split("\n"):
                _say(textwrap.indent(line, "    "))
    if not batch.updates:
        _say(f"notify {span}: no new updates")
        return EXIT_OK
    if args.dry_run:
        line = f"dry run, nothing sent: {counts['would deliver']} to deliver, {counts['skipped']} skipped"
    else:
        line = f"{counts['delivered']} delivered, {counts['failed']} failed, {counts['skipped']} skipped"
        if counts["not tried"]:
            line += f", {counts['not tried']} not tried"
    if counts["held back"]:
        line += f", {counts['held back']} held back"
    _say(f"notify {span}: {line}")
    return EXIT_INVALID if counts["failed"] else EXIT_OK


def _import(root: Path, args: argparse.Namespace) -> int:
    from statusgen.importers import write

    source = _import_source(args)
    outcome = write.import_source(root, source, dry_run=args.dry_run)
    verb = "would write" if args.dry_run else "wrote"
    for rel in outcome.written:
        print(printable(f"{verb} {rel}"))
        if args.dry_run:
            for line in outcome.texts[rel].splitlines():
                print(printable(f"    {line}"))
    for rel, why in outcome.skipped:
        print(printable(f"skipped {rel}: {why}"))
    if outcome.components_added:
        print(printable(f"components added: {', '.join(outcome.components_added)}"))
    if outcome.new_config:
        print("statusgen.yaml is new: complete its site: settings (url, title, description) before publishing")
    if args.source == "cstate":
        print(printable(f"times without an offset were read in {source.site.timezone}"))
    for note in outcome.notes:
        print(printable(f"not carried over as it is: {note}"))
    counts = f"{len(outcome.written)} {verb}, {len(outcome.unchanged)} unchanged, {len(outcome.skipped)} skipped"
    print(f"import {args.source}: {counts}" + ("; dry run, nothing written" if args.dry_run else ""))
    return EXIT_OK


def _import_source(args: argparse.Namespace) -> Source:
    """Read the source the arguments name; StatusgenError for options that do not fit it."""
    from statusgen.importers import cstate, statuspage

    if args.source == "cstate":
        if args.path is None or args.url or args.page_id:
            raise StatusgenError("import cstate reads a folder", hint="give the cState site's folder as PATH")
        return cstate.read_site(args.path)
    if args.path is not None or bool(args.url) == bool(args.page_id):
        raise StatusgenError(
            "import statuspage reads one page's API",
            hint="give --url https://status.example.com/ (public API) or --page-id ID (management API, with a key)",
        )
    if args.url:
        return statuspage.read_public(args.url)
    key = os.environ.get(args.api_key_env, "").strip()
    if not key:
        raise StatusgenError(
            f"no API key in the environment variable {args.api_key_env}",
            hint="set it to a Statuspage API key (your profile's API info), or name another with --api-key-env",
        )
    api = args.api_url or os.environ.get("STATUSPAGE_API_URL") or statuspage.DEFAULT_API
    return statuspage.read_managed(
        args.page_id, key, api, progress=lambda line: print(printable(line), file=sys.stderr, flush=True)
    )


def _say(line: str) -> None:
    """Print one line of notify's report, with what it quotes from content or a target escaped."""
    print(printable(line), flush=True)


COMMANDS = {
    "init": _init,
    "build": _build,
    "check": _check,
    "new": _new,
    "update": _update,
    "resolve": _resolve,
    "postmortem": _postmortem,
    "templates": _templates,
    "serve": _serve,
    "notify": _notify,
    "import": _import,
}
