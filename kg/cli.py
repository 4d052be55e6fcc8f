"""``plantrace``: the command line. Thin: each command calls :mod:`kg.build` or :mod:`kg.store`.

Errors a user can fix (a missing file, a garbled document, a hash mismatch, a bad query, no
store yet) are printed as one line, ``plantrace: error: <file>: <what was expected>``, and the
exit status is 2; no traceback. Anything else is a bug and keeps its traceback. ``validate``
exits 1 when it finds what ``--fail-on`` asks it to fail on.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from kg.config import load_settings
from kg.errors import PlantraceError
from kg.results import RENDERERS
from kg.store import EXPORT_FORMATS, TripleStore, export_format, locate, open_store
from kg.validate import RENDERERS as VALIDATION_RENDERERS
from kg.validate import SEVERITIES, exit_code, render, render_text, store_graph, validate

if TYPE_CHECKING:
    from rdflib import Dataset

PROG = "plantrace"
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line too."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog.split()[0]}: error: {message}\n")


def _state_dir(args: argparse.Namespace) -> Path | None:
    """``--state-dir`` if given; None lets the settings choose (PLANTRACE_STORE, _STATE)."""
    return Path(args.state_dir) if args.state_dir else None


def _store(args: argparse.Namespace) -> TripleStore:
    """The store to read: ``--state-dir``, else ``PLANTRACE_STORE``, else ``PLANTRACE_STATE``
    (:func:`kg.store.locate`)."""
    settings = load_settings()
    return open_store(locate(settings, _state_dir(args)), settings.export_timeout)


def cmd_build(args: argparse.Namespace) -> None:
    from kg import build as builder  # the parsers load for the commands that parse

    print(builder.build(_state_dir(args)).render())


def cmd_ingest(args: argparse.Namespace) -> None:
    out = Path(args.output) if args.output else None
    if out is not None:
        export_format(out)  # reject an unknown extension before reading anything
    from kg import build as builder

    store, summary = builder.ingest(Path(args.path))
    if out is not None:
        store.export(out)
    print(summary.render())


def cmd_add(args: argparse.Namespace) -> None:
    from kg import sourcing  # the parsers load for the commands that parse

    added = sourcing.add(
        Path(args.path),
        load_settings().manifest_path,
        issued=args.issued,
        title=args.title,
        fiscal_year=args.fiscal_year,
        doc_id=args.id,
    )
    print(added.render())


def cmd_remove(args: argparse.Namespace) -> None:
    from kg import sourcing

    print(sourcing.remove(args.id, load_settings().manifest_path))


def _read_query(text: str) -> tuple[str, str]:
    if not text.startswith("@"):
        return text, "<query>"
    path = Path(text[1:])
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise PlantraceError(f"{path}: expected a readable UTF-8 file with a SPARQL query") from exc


def cmd_query(args: argparse.Namespace) -> None:
    sparql, source = _read_query(args.sparql)
    store = _store(args)
    text = RENDERERS[args.format](store.query(sparql, source))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_export(args: argparse.Namespace) -> None:
    out = Path(args.output)
    export_format(out)
    _store(args).export(out)


_DATA_FORMATS = {
    ".trig": "trig",
    ".nq": "nquads",
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
}


def _load_data(path: Path) -> Dataset:
    """An RDF file (named graphs kept where the format has them) to validate."""
    fmt = _DATA_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise PlantraceError(f"{path}: expected an RDF file ending in {' '.join(_DATA_FORMATS)}")
    from rdflib import Dataset

    data = Dataset()
    try:
        data.parse(path, format=fmt)
    except FileNotFoundError as exc:
        raise PlantraceError(f"{path}: expected a readable RDF file") from exc
    except Exception as exc:  # rdflib's parsers raise many types; all mean "not this format"
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlantraceError(f"{path}: expected valid {fmt} ({message})") from exc
    return data


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the store or a file; exit 1 when a finding is at or above ``--fail-on``."""
    data = (
        _load_data(Path(args.data)) if args.data else store_graph(_store(args))
    )
    report = validate(data)
    text = render_text(report, args.lang) if args.format == "text" else render(report, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return exit_code(report, args.fail_on)


def cmd_serve(args: argparse.Namespace) -> None:
    """Serve the store (or ``--dataset``) over HTTP until interrupted (see :mod:`api.main`)."""
    from api.server import serve  # the web stack is loaded for this command only

    settings = load_settings()
    options = {"host": args.host, "port": args.port, "query_timeout": args.query_timeout}
    changes: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if args.dataset:
        changes["dataset"] = Path(args.dataset)
    elif args.state_dir:
        changes["dataset"] = None  # an explicit --state-dir wins over PLANTRACE_DATASET
    serve(replace(settings, **changes), _state_dir(args))


def cmd_synth(args: argparse.Namespace) -> None:
    """Write a synthetic dataset of ``--bodies`` J-LIS-shaped bodies (see :mod:`kg.synth`)."""
    from kg import synth

    out = Path(args.output)
    synth.output_format(out)  # reject an unknown extension before any work
    years = synth.parse_years(args.years)
    progress = synth.Progress(args.bodies, args.progress or sys.stderr.isatty())
    jobs = args.jobs or synth.default_jobs()
    print(synth.write_dataset(out, args.bodies, args.seed, years, progress, jobs).render())


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Trace plans, indicators and grades as a graph.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    state = _Parser(add_help=False)
    state.add_argument(
        "--state-dir", help="store directory (default: $PLANTRACE_STATE, else ./state in the repo)"
    )

    p = commands.add_parser("build", parents=[state], help="build the store from data/sources")
    p.set_defaults(func=cmd_build)

    p = commands.add_parser("ingest", help="read one document; print a summary or write RDF")
    p.add_argument("path", metavar="PATH", help="the document (its kind is detected)")
    p.add_argument("-o", "--output", metavar="FILE", help=f"write RDF ({' '.join(EXPORT_FORMATS)})")
    p.set_defaults(func=cmd_ingest)

    p = commands.add_parser("add", help="copy a document into the sources and list it")
    p.add_argument("path", metavar="PATH", help="the document (its kind is detected)")
    p.add_argument("--issued", metavar="YYYY-MM[-DD]", help="issue date, when the text has none")
    p.add_argument("--title", help="Japanese title, when the text does not print one")
    p.add_argument("--fiscal-year", type=int, metavar="YEAR", help="fiscal year it is about")
    p.add_argument("--id", help="manifest id (default: kind and issue date)")
    p.set_defaults(func=cmd_add)

    p = commands.add_parser("remove", help="take a document out of the sources")
    p.add_argument("id", metavar="ID", help="its manifest id")
    p.set_defaults(func=cmd_remove)

    p = commands.add_parser("query", parents=[state], help="run a SPARQL query on the store")
    p.add_argument("sparql", metavar="SPARQL|@file", help="the query, or @ and a file holding it")
    p.add_argument("--format", choices=sorted(RENDERERS), default="table")
    p.set_defaults(func=cmd_query)

    p = commands.add_parser(
        "validate", parents=[state], help="check the store (or --data FILE) against shapes/"
    )
    p.add_argument("--data", metavar="FILE", help="an RDF file to check instead of the store")
    p.add_argument("--format", choices=sorted(VALIDATION_RENDERERS), default="text")
    p.add_argument(
        "--fail-on",
        choices=list(SEVERITIES),
        default="violation",
        help="exit 1 when a finding is at least this severe (default: violation)",
    )
    p.add_argument(
        "--lang",
        choices=["ja", "en", "both"],
        default="both",
        help="language of the messages in the text report",
    )
    p.set_defaults(func=cmd_validate)

    p = commands.add_parser("serve", help="serve SPARQL, the JSON API and linked data over HTTP")
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--state-dir", help="store directory (default: $PLANTRACE_STORE, else $PLANTRACE_STATE)"
    )
    source.add_argument(
        "--dataset", metavar="FILE", help="serve this RDF file (.trig .nq .ttl .nt .jsonld .rdf)"
    )
    p.add_argument("--host", help="address to listen on (default: $PLANTRACE_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: $PLANTRACE_PORT or 8000)")
    p.add_argument(
        "--query-timeout",
        type=float,
        metavar="S",
        help="seconds before a query is stopped (default: $PLANTRACE_QUERY_TIMEOUT or 10)",
    )
    p.set_defaults(func=cmd_serve)

    p = commands.add_parser("synth", help="write a synthetic dataset of N J-LIS-shaped bodies")
    p.add_argument("--bodies", type=int, required=True, metavar="N", help="number of bodies")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help=".trig or .nq")
    p.add_argument("--years", default="2021-2025", metavar="FIRST-LAST",
                   help="fiscal years of the goal period, 3 to 5 (default: 2021-2025)")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: CPUs)")
    p.add_argument("--progress", action="store_true", help="show progress even if not a TTY")
    p.set_defaults(func=cmd_synth)

    p = commands.add_parser("export", parents=[state], help="write the whole store to a file")
    p.add_argument(
        "-o", "--output", metavar="FILE", required=True, help=f"{' '.join(EXPORT_FORMATS)}"
    )
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        status = args.func(args)
    except PlantraceError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # the environment, not the input: a full disk, a read-only directory
        where = exc.filename if exc.filename is not None else PROG
        print(f"{PROG}: error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
