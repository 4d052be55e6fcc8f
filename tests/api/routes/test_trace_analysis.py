"""``/api/analysis/…`` on real servers (embedded and remote store): documented in OpenAPI, and
consistent with the trace and impact the rest of the API gives."""

from __future__ import annotations

from collections import defaultdict

import httpx
import pytest
from servers import Server

from kg.namespaces import PTID


@pytest.fixture(scope="module")
def api(any_server: Server) -> httpx.Client:
    return any_server.client()


def test_openapi_documents_the_analyses(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    paths = spec["paths"]
    for path, model in [
        ("/api/analysis/coverage", "CoverageResponse"),
        ("/api/analysis/gaps", "GapsResponse"),
        ("/api/analysis/impact", "ImpactSet"),
        ("/api/analysis/path", "PathResponse"),
    ]:
        ok = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].endswith("/" + model)
        assert paths[path]["get"]["description"]
    assert "Ratio" in spec["components"]["schemas"]


def test_coverage_agrees_with_the_trace(api: httpx.Client) -> None:
    cov = api.get("/api/analysis/coverage", params={"code": "I-1"}).json()
    trace = api.get("/api/items/I-1").json()
    plans = trace["plan_clauses"]
    implemented = {g for p in plans for g in p["implements"]}
    quantitative = [i for i in trace["indicators"] if i["quantitative"]]
    assert {r["code"] for r in cov["items"]} == {"I-1"}
    for row in cov["items"]:
        year = row["year"]
        annual = [c for y in trace["years"] if y["year"] == year for c in y["annual_clauses"]]
        goals = trace["goal_clauses"]
        assert row["goal_plan"] == {
            "covered": sum(g["iri"] in implemented for g in goals),
            "total": len(goals),
            "share": sum(g["iri"] in implemented for g in goals) / len(goals),
        }
        with_annual = {p for c in annual for p in c["implements"]}
        assert row["plan_annual"]["covered"] == sum(p["iri"] in with_annual for p in plans)
        measured = {c for i in trace["indicators"] for c in i["measures"]}
        assert row["annual_indicator"]["covered"] == sum(c["iri"] in measured for c in annual)
        assert row["annual_indicator"]["total"] == len(annual)
        observed = sum(any(o["year"] == year for o in i["observations"]) for i in quantitative)
        assert row["indicator_observation"] == {
            "covered": observed, "total": len(quantitative),
            "share": observed / len(quantitative) if quantitative else None,
        }  # fmt: skip
        grades = next(y for y in trace["years"] if y["year"] == year)
        assert row["self_graded"] == (grades["self_evaluation"] is not None)
        assert row["ministerial_graded"] == (grades["ministerial_evaluation"] is not None)
    everything = api.get("/api/analysis/coverage").json()
    items = api.get("/api/items").json()
    assert len(everything["items"]) == len(items["items"]) * len(everything["years"])
    for total in everything["totals"]:
        graded = sum(1 for i in items["items"] for g in i["grades"]
                     if g["year"] == total["year"] and g["ministerial_grade"])  # fmt: skip
        assert total["items_ministerial_graded"]["covered"] == graded
    assert api.get("/api/analysis/coverage", params={"code": "Z-9"}).status_code == 404


def test_impact_set_holds_every_dependent_of_the_impact_analysis(api: httpx.Client) -> None:
    trace = api.get("/api/items/I-1").json()
    article = trace["item"]["legal_basis"][0]["iri"]
    impact = api.get("/api/impact", params={"iri": article}).json()
    found = api.get("/api/analysis/impact", params={"iri": article}).json()
    nodes = {n["iri"] for n in found["nodes"]}
    assert {d["iri"] for d in impact["dependents"]} <= nodes
    assert "I-1" in found["items"] and found["node"]["kind"] == "provision"
    assert sum(found["counts"].values()) == len(found["nodes"])
    # a path under /id/ names the same node
    short = api.get("/api/analysis/impact", params={"iri": article[len(str(PTID)) - 1 :]})
    assert short.json()["counts"] == found["counts"]
    assert api.get("/api/analysis/impact", params={"iri": "law/none"}).status_code == 404
    assert api.get("/api/analysis/impact", params={"iri": "http://x y"}).status_code == 400


def test_shortest_path_from_an_article_to_a_grade(api: httpx.Client) -> None:
    trace = api.get("/api/items/I-1").json()
    article = trace["item"]["legal_basis"][0]["iri"]
    r = api.get("/api/analysis/path", params={"source": article, "code": "I-1"})
    assert r.status_code == 200
    path = r.json()
    steps = path["steps"]
    assert steps[0]["node"]["iri"] == article and steps[-1]["node"]["kind"] == "evaluation"
    assert steps[-1]["node"]["item_code"] == "I-1" and path["length"] == len(steps) - 1
    grades = {e["iri"] for y in trace["years"]
              for e in (y["self_evaluation"], y["ministerial_evaluation"]) if e}  # fmt: skip
    assert path["target"] in grades
    for step in steps[1:]:
        assert step["via"]
    # to a given target; and none back up the trace
    target = sorted(grades)[0]
    to = api.get("/api/analysis/path", params={"source": article, "target": target}).json()
    assert to["target"] == target
    back = api.get("/api/analysis/path", params={"source": target, "target": article})
    assert back.status_code == 404 and "no chain" in back.json()["detail"]


def test_gaps_name_real_nodes(api: httpx.Client) -> None:
    gaps = api.get("/api/analysis/gaps").json()
    counts: dict[str, int] = defaultdict(int)
    for name, group in (("orphan", gaps["orphans"]), ("dead end", gaps["dead_ends"])):
        for g in group:
            counts[f"{name} {g['node']['kind']}"] += 1
            assert g["node"]["href"].startswith("/id/")
    assert dict(counts) == gaps["counts"]
    for g in (gaps["orphans"] + gaps["dead_ends"])[:5]:
        assert api.get(g["node"]["href"], headers={"Accept": "text/turtle"}).status_code == 200
