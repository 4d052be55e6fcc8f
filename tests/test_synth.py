"""``plantrace synth``: J-LIS-shaped synthetic data, deterministic by seed and valid under shapes/.

Datasets are small (one or two bodies, a three-year goal period) to keep the tests fast; what is
checked per body does not depend on how many bodies are made.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from kg import cli
from kg.synth import Years, make_body, parse_years, write_dataset
from kg.validate import validate

YEARS = Years(2021, 2023)
BODIES = 2
SEED = 7
ID = "https://w3id.org/plantrace/id/"
PT = "https://w3id.org/plantrace/ontology#"

_SCRIPT = Path(sys.executable).with_name("plantrace")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "kg.cli"]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("synth")


@pytest.fixture(scope="module")
def trig(out: Path) -> Path:
    path = out / "two.trig"
    summary = write_dataset(path, BODIES, SEED, YEARS)
    assert summary.bodies == BODIES and summary.documents == BODIES * (len(YEARS) + 2)
    return path


@pytest.fixture(scope="module")
def one(out: Path) -> Path:
    path = out / "one.trig"
    write_dataset(path, 1, SEED, YEARS)
    return path


@pytest.fixture(scope="module")
def store(trig: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(trig), format=ox.RdfFormat.TRIG)
    return store


def count(store: ox.Store, body: str, where: str) -> int:
    """COUNT(DISTINCT ?s) of ``where`` over all graphs, ?s restricted to the body's nodes."""
    query = (
        f"PREFIX pt: <{PT}> SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ {where} }} "
        f'FILTER(STRSTARTS(STR(?s), "{ID}{body}/")) }}'
    )
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    n = next(iter(solutions))["n"]
    assert isinstance(n, ox.Literal)
    return int(n.value)


def named(store: ox.Store) -> set[str]:
    """The store's quads without blank nodes, as text."""
    return {str(q) for q in store if not isinstance(q.subject, ox.BlankNode)
            and not isinstance(q.object, ox.BlankNode)}  # fmt: skip


def test_same_seed_same_bytes_whatever_the_number_of_processes(trig: Path, out: Path) -> None:
    again = out / "again.trig"
    write_dataset(again, BODIES, SEED, YEARS, jobs=2)
    assert again.read_bytes() == trig.read_bytes()


def test_another_seed_gives_other_data(one: Path, out: Path) -> None:
    other = out / "other.trig"
    write_dataset(other, 1, SEED + 1, YEARS)
    assert other.read_bytes() != one.read_bytes()


def test_a_body_does_not_depend_on_how_many_are_made() -> None:
    one, again = make_body(SEED, 2, YEARS), make_body(SEED, 2, YEARS)
    assert (one.goals, one.grades, one.values) == (again.goals, again.grades, again.values)
    assert one.publisher.id == "body0002"


def test_trig_and_nquads_hold_the_same_quads(trig: Path, out: Path, store: ox.Store) -> None:
    nq = out / "two.nq"
    write_dataset(nq, BODIES, SEED, YEARS)
    other = ox.Store()
    other.load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    assert len(other) == len(store)
    assert named(other) == named(store)  # blank nodes (in the ontology) are renamed on loading
    graphs = {str(g.value) for g in store.named_graphs()}
    assert f"{ID}body0001/doc/self-evaluation-fy2021" in graphs
    assert f"{ID}graph/ontology" in graphs and f"{ID}graph/reference" in graphs


@pytest.mark.parametrize("body", ["body0001", "body0002"])
def test_each_body_has_the_shape_of_the_jlis_graph(store: ox.Store, body: str) -> None:
    n = len(YEARS)
    assert count(store, body, "?s a pt:EvaluationItem") == 19
    for category, items in (("I", 11), ("II", 3), ("III", 5)):
        assert count(store, body, f'?s a pt:EvaluationItem ; pt:category "{category}"') == items
    goals = count(store, body, "?s a pt:GoalClause")
    assert 30 <= goals <= 55
    assert goals <= count(store, body, "?s a pt:PlanClause") <= goals * 1.5
    assert count(store, body, "?s a pt:GoalClause . ?p pt:implements ?s") == goals
    for year in YEARS:
        fy = f"<{ID}fiscal-year/{year}>"
        annual = f"?s a pt:AnnualPlanClause ; pt:fiscalYear {fy} ; pt:implements ?p"
        assert 30 <= count(store, body, annual) <= 55
        for kind in ("SelfEvaluation", "MinisterialEvaluation"):
            assert count(store, body, f"?s a pt:{kind} ; pt:fiscalYear {fy}") == 19
        assert count(store, body, f"?s a pt:OverallEvaluation ; pt:fiscalYear {fy}") == 2
        assert count(store, body, f"?s a pt:Observation ; pt:fiscalYear {fy}") >= 12
    assert 40 <= count(store, body, "?s a pt:Indicator ; pt:measures ?c") <= 60
    assert count(store, body, "?s a pt:QuantitativeIndicator ; pt:target ?t") == 12
    assert count(store, body, "?s a pt:SourceDocument") == n + 2
    assert count(store, body, "?s a pt:MidTermGoal ; pt:period ?p") == 1
    assert count(store, body, "?s a pt:AnnualPlan ; pt:authorizedBy ?a") == n
    assert count(store, body, "?s a pt:EvaluationItem ; pt:legalBasis ?p") == 11


def test_labels_are_japanese_text_to_search(store: ox.Store) -> None:
    labels = store.query(
        f"PREFIX pt: <{PT}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?l WHERE { GRAPH ?g { ?s a pt:GoalClause ; rdfs:label ?l } }"
    )
    assert isinstance(labels, ox.QuerySolutions)
    texts = [s["l"] for s in labels]
    assert texts and all(isinstance(t, ox.Literal) and t.language == "ja" for t in texts)


def test_valid_under_the_shapes(one: Path) -> None:
    """No violation; the only findings are grades the ministers set lower than the body."""
    data = Dataset()
    data.parse(one, format="trig")  # rdflib reads it too, named graphs and all
    assert f"{ID}body0001/doc/ministerial-evaluation-fy2023" in {
        str(g.identifier) for g in data.graphs()
    }
    report = validate(data)
    assert report.counts["violation"] == 0
    shapes = Counter(f.shape.rsplit("#", 1)[1] for f in report.findings)
    assert set(shapes) <= {"SelfMinisterialDifferShape"}
    body = make_body(SEED, 1, YEARS)
    differ = sum(
        body.grades[code, year, "self"] != body.grades[code, year, "ministerial"]
        for code, year, by in body.grades
        if by == "self"
    )
    assert shapes["SelfMinisterialDifferShape"] == differ


def test_served_as_a_dataset_file(trig: Path, tmp_path: Path) -> None:
    """What ``plantrace serve --dataset FILE`` does with the file: load it, union default graph."""
    from api.workers.backend import load_dataset

    size = load_dataset(trig, tmp_path / "store")
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert size > len(list(store.named_graphs())) > 0
    assert store.query(f"ASK {{ ?s a <{PT}MinisterialEvaluation> }}")


def test_cli_writes_the_file_and_shows_progress_when_asked(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = out / "cli.nq"
    args = ["synth", "--bodies", "1", "--seed", "3", "--years", "2021-2023", "-o", str(path)]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{path}: 1 bodies, 5 documents, ")
    assert captured.err == ""  # stderr is not a terminal here
    assert cli.main([*args, "--progress", "--jobs", "1"]) == 0
    assert "\rsynth: 1/1 bodies, " in capsys.readouterr().err


def test_years_are_a_goal_period() -> None:
    assert list(parse_years("2021-2025")) == [2021, 2022, 2023, 2024, 2025]


BAD = {
    "no bodies": (["--bodies", "0", "-o", "x.trig"], "--bodies 0: expected"),
    "not a number": (["--bodies", "ten", "-o", "x.trig"], "invalid int value"),
    "extension": (["--bodies", "1", "-o", "x.ttl"], "x.ttl: expected a file name ending in"),
    "short period": (["--bodies", "1", "--years", "2021-2022", "-o", "x.nq"], "3 to 5 years"),
    "not years": (["--bodies", "1", "--years", "FY21", "-o", "x.nq"], "--years FY21: expected"),
}


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    procs = {
        name: subprocess.Popen(
            [*COMMAND, "synth", *args],
            cwd=tmp_path,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, (args, _) in BAD.items()
    }
    for name, proc in procs.items():
        _, err = proc.communicate()
        assert proc.returncode == 2, name
        assert err.count("\n") == 1 and err.startswith("plantrace: error: "), err
        assert BAD[name][1] in err, err
    assert list(tmp_path.iterdir()) == []
