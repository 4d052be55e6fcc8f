"""The ``plantrace`` command: output formats and round trips, and one-line errors for bad input.

Bad input is checked by running ``plantrace`` as a subprocess (what a user sees: one line on
stderr, exit 2, no traceback); those processes are started together, once, to keep the tests
fast. Successful commands are run in-process through :func:`kg.cli.main`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import fake_parser
import pyoxigraph as ox
import pytest
from conftest import FAKE_TEXTS, SOURCES, write_sources

from kg import cli
from kg import ingest as registry
from kg.store import EXPORT_FORMATS, STORE_LINK, GraphStore

_SCRIPT = Path(sys.executable).with_name("plantrace")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "kg.cli"]
REPORT = SOURCES / "002_753d1335b09003db.txt"
SPANS = "SELECT ?s ?start WHERE { ?s a pt:Span ; pt:lineStart ?start } ORDER BY ?s LIMIT 3"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real documents, built once by ``plantrace build`` (a subprocess)."""
    state = tmp_path_factory.mktemp("cli") / "state"
    proc = start("build", "--state-dir", str(state))
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "pt:SourceDocument" in out and "total triples:" in out
    return state


def plantrace(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run a command in-process; it must succeed. Returns its stdout."""
    assert cli.main(list(args)) == 0
    return capsys.readouterr().out


# --- success -------------------------------------------------------------------------------


def test_build_uses_plantrace_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLANTRACE_STATE", str(tmp_path / "s"))
    monkeypatch.setenv("PLANTRACE_SOURCES", str(write_sources(tmp_path / "src", FAKE_TEXTS).parent))
    monkeypatch.setattr(registry, "PARSERS", [fake_parser])
    out = plantrace(capsys, "build")
    assert "parsed as fake-report" in out and "registered only (no parser)" in out
    assert (tmp_path / "s" / STORE_LINK).is_symlink()
    assert plantrace(capsys, "query", "ASK { ?e pt:grade pt:GradeA }").strip() == "true"


def test_query_table(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = plantrace(capsys, "query", SPANS, "--state-dir", str(state)).splitlines()
    assert lines[0].split() == ["s", "start"]
    assert set(lines[1]) == {"-", " "}
    assert lines[-1] == "(3 rows)"
    assert all(line.startswith("ptid:jlis/doc/") for line in lines[2:-1])


def test_query_json(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(
        plantrace(capsys, "query", SPANS, "--state-dir", str(state), "--format", "json")
    )
    assert doc["head"]["vars"] == ["s", "start"]
    first = doc["results"]["bindings"][0]
    assert first["s"]["type"] == "uri"
    assert first["start"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_query_csv_from_file(
    state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = tmp_path / "q.rq"
    query.write_text(SPANS, encoding="utf-8")
    out = plantrace(capsys, "query", f"@{query}", "--state-dir", str(state), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["s", "start"] and len(rows) == 4
    assert rows[1][0].startswith("https://w3id.org/plantrace/id/jlis/doc/")
    assert int(rows[1][1]) >= 1


def test_query_ask_and_construct(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = ("--state-dir", str(state))
    assert plantrace(capsys, "query", "ASK { ?d a pt:SourceDocument }", *where) == "true\n"
    out = plantrace(capsys, "query", "ASK { ?d a pt:Nothing }", *where, "--format", "json")
    assert json.loads(out) == {"head": {}, "boolean": False}
    construct = "CONSTRUCT { ?d a pt:SourceDocument } WHERE { ?d a pt:SourceDocument }"
    rows = list(
        csv.reader(io.StringIO(plantrace(capsys, "query", construct, *where, "--format", "csv")))
    )
    assert rows[0] == ["subject", "predicate", "object"] and len(rows) == 6


@pytest.mark.parametrize("suffix", sorted(EXPORT_FORMATS))
def test_export_writes_the_store(
    state: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command writes what GraphStore.export writes (its round trip: test_store)."""
    out, direct = tmp_path / f"all{suffix}", tmp_path / f"direct{suffix}"
    plantrace(capsys, "export", "--state-dir", str(state), "-o", str(out))
    GraphStore.open(state).export(direct)
    fmt = EXPORT_FORMATS[suffix]
    assert set(ox.parse(path=str(out), format=fmt)) == set(ox.parse(path=str(direct), format=fmt))


def test_ingest_writes_rdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "002.trig"
    assert "self-evaluation-fy2025" in plantrace(capsys, "ingest", str(REPORT), "-o", str(out))
    graphs = {q.graph_name for q in ox.parse(path=str(out), format=ox.RdfFormat.TRIG)}
    assert graphs == {
        ox.NamedNode("https://w3id.org/plantrace/id/jlis/doc/self-evaluation-fy2025"),
        ox.NamedNode("https://w3id.org/plantrace/id/graph/reference"),
    }


def test_ingest_summary_without_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = write_sources(tmp_path / "sources", FAKE_TEXTS)
    monkeypatch.setenv("PLANTRACE_SOURCES", str(manifest.parent))
    monkeypatch.setattr(registry, "PARSERS", [fake_parser])
    out = plantrace(capsys, "ingest", str(manifest.parent / "000_report-a.txt"))
    assert "report-a" in out and "pt:SelfEvaluation" in out
    assert not list(tmp_path.glob("state*"))  # ingest never touches a store


# --- bad input: one line on stderr, exit 2, no traceback, store untouched -------------------


def _bad_inputs(state: Path, tmp: Path) -> dict[str, tuple[list[str], dict[str, str], list[str]]]:
    """name → (arguments, environment, fragments the error line must contain)."""
    (tmp / "notes.txt").write_text("会議メモ\n特記事項なし\n", encoding="utf-8")
    (tmp / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    # The report up to its summary table plus one item-sheet column header: it looks like a
    # self-evaluation report, but its item sheets are missing.
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    sheets = next(i for i, line in enumerate(lines) if line.startswith("1-1-4-1 "))
    header = next(line for line in lines if re.search("中期目標\t+中期計画\t+年度計画", line))
    (tmp / "cut.txt").write_text("\n".join([*lines[:sheets], header]), encoding="utf-8")
    sources = tmp / "tampered"
    write_sources(sources, FAKE_TEXTS)
    (sources / "001_report-b.txt").write_text(FAKE_TEXTS["report-b"] + "\n", encoding="utf-8")
    st = ["--state-dir", str(state)]
    empty = ["--state-dir", str(tmp / "empty")]
    return {
        "no store (query)": (["query", "ASK {}", *empty], {}, ["empty", "expected a built store"]),
        "no store (export)": (
            ["export", *empty, "-o", str(tmp / "x.nq")],
            {},
            ["expected a built store"],
        ),
        "bad SPARQL": (["query", "SELECT WHERE {", *st], {}, ["<query>: expected a SPARQL 1.1"]),
        "missing query file": (
            ["query", f"@{tmp / 'none.rq'}", *st],
            {},
            ["none.rq", "expected a readable UTF-8"],
        ),
        "missing document": (
            ["ingest", str(tmp / "gone.txt")],
            {},
            ["gone.txt", "expected a readable file"],
        ),
        "unknown document": (
            ["ingest", str(tmp / "notes.txt")],
            {},
            ["notes.txt", "expected a document of a known"],
        ),
        "garbled bytes": (["ingest", str(tmp / "binary.txt")], {}, ["binary.txt", "UTF-8 text"]),
        "garbled report": (["ingest", str(tmp / "cut.txt")], {}, ["cut.txt", "expected"]),
        "unknown format": (
            ["export", *st, "-o", str(tmp / "x.rdf")],
            {},
            ["x.rdf", "expected a file name ending"],
        ),
        "unwritable output": (
            ["export", *st, "-o", str(tmp / "no-dir" / "x.nq")],
            {},
            ["x.nq", "expected a writable"],
        ),
        "usage": (["query"], {}, ["required"]),
        "unknown command": (["frobnicate"], {}, ["invalid choice"]),
        "hash mismatch": (
            ["build", *st],
            {"PLANTRACE_SOURCES": str(sources)},
            ["001_report-b.txt", "expected SHA-256"],
        ),
    }


@pytest.fixture(scope="session")
def failures(
    state: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[subprocess.CompletedProcess[str], list[str], str, int]]:
    """Every bad-input command, run at once; also the store's link and size before."""
    link_before = os.readlink(state / STORE_LINK)
    size_before = len(ox.Store.read_only(str((state / STORE_LINK).resolve())))
    cases = _bad_inputs(state, tmp_path_factory.mktemp("bad"))
    running = {name: (start(*args, env=env), frags) for name, (args, env, frags) in cases.items()}
    done = {}
    for name, (proc, frags) in running.items():
        out, err = proc.communicate(timeout=60)
        done[name] = (
            subprocess.CompletedProcess(proc.args, proc.returncode, out, err),
            frags,
            link_before,
            size_before,
        )
    return done


BAD = [
    "no store (query)", "no store (export)", "bad SPARQL", "missing query file",
    "missing document", "unknown document", "garbled bytes", "garbled report",
    "unknown format", "unwritable output", "usage", "unknown command", "hash mismatch",
]  # fmt: skip


@pytest.mark.parametrize("name", BAD)
def test_bad_input_is_one_line(
    name: str,
    failures: dict[str, tuple[subprocess.CompletedProcess[str], list[str], str, int]],
    state: Path,
) -> None:
    proc, fragments, link_before, size_before = failures[name]
    assert proc.returncode == 2, proc
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("plantrace: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    # The store is untouched.
    assert os.readlink(state / STORE_LINK) == link_before
    assert len(ox.Store.read_only(str((state / STORE_LINK).resolve()))) == size_before


def test_every_bad_input_is_checked(tmp_path: Path) -> None:
    assert sorted(BAD) == sorted(_bad_inputs(tmp_path, tmp_path))


# --- validate ------------------------------------------------------------------------------

BROKEN = """@prefix pt: <https://w3id.org/plantrace/ontology#> .
<https://w3id.org/plantrace/id/t/plan-clause/x> a pt:PlanClause ; pt:text "計画"@ja ."""


def test_validate_the_store(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The real data: no violation (exit 0), but warnings (exit 1 with --fail-on warning),
    among them the FY2025 availability under its target while I-1 is graded B."""
    assert cli.main(["validate", "--state-dir", str(state), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["violation"] == 0 and report["counts"]["warning"] > 0
    missed = [f for f in report["findings"] if "99.85" in json.dumps(f, ensure_ascii=False)]
    assert missed and missed[0]["item_code"] == "I-1" and missed[0]["fiscal_year"] == 2025
    assert cli.main(["validate", "--state-dir", str(state), "--fail-on", "warning"]) == 1
    assert "WARNING" in capsys.readouterr().out


def test_validate_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "broken.ttl"
    data.write_text(BROKEN, encoding="utf-8")
    assert cli.main(["validate", "--data", str(data), "--format", "turtle"]) == 1
    assert "sh:ValidationReport" in capsys.readouterr().out
    data.write_text("not turtle", encoding="utf-8")
    assert cli.main(["validate", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plantrace: error: ") and err.count("\n") == 1
