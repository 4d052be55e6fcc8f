"""Settings: read from the environment, each documented in docs/integrators.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg import config
from kg.config import RemoteStore, load_settings
from kg.errors import PlantraceError

REPO = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    names = set(re.findall(r'"(PLANTRACE_[A-Z_]+)"', Path(config.__file__).read_text()))
    assert len(names) >= 14
    guide = (REPO / "docs" / "integrators.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(PLANTRACE_[A-Z_]+)`", guide, re.MULTILINE))
    assert names <= documented, names - documented
    docstring = config.__doc__ or ""
    assert all(n in docstring for n in names)


def test_defaults_and_overrides(tmp_path: Path) -> None:
    default = load_settings({})
    assert default.store is None and default.dataset is None
    assert (default.query_timeout, default.row_limit, default.workers) == (10.0, 10_000, 2)
    s = load_settings(
        {
            "PLANTRACE_QUERY_TIMEOUT": "2.5",
            "PLANTRACE_ROW_LIMIT": "7",
            "PLANTRACE_MAX_BODY": "4096",
            "PLANTRACE_DATASET": str(tmp_path / "d.trig"),
            "PLANTRACE_PORT": "9001",
        }
    )
    assert (s.query_timeout, s.row_limit, s.max_body, s.port) == (2.5, 7, 4096, 9001)
    assert s.dataset == tmp_path / "d.trig"


@pytest.mark.parametrize(
    ("name", "value"),
    [("PLANTRACE_QUERY_TIMEOUT", "soon"), ("PLANTRACE_ROW_LIMIT", "0"), ("PLANTRACE_PORT", "-1")],
)
def test_bad_numbers_are_one_line_errors(name: str, value: str) -> None:
    with pytest.raises(PlantraceError, match=f"^{name}: expected a number"):
        load_settings({name: value})


def test_remote_endpoints() -> None:
    oxigraph = RemoteStore.at("http://127.0.0.1:7878/query")
    assert (oxigraph.update, oxigraph.gsp) == (
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
    )
    fuseki = load_settings(
        {
            "PLANTRACE_STORE": "http://h/ds/sparql",
            "PLANTRACE_STORE_UPDATE": "http://h/ds/update",
            "PLANTRACE_STORE_GSP": "http://h/ds/data",
        }
    ).store
    assert fuseki == RemoteStore("http://h/ds/sparql", "http://h/ds/update", "http://h/ds/data")
    other = RemoteStore.at("http://h/endpoint")
    assert other.update == other.gsp == "http://h/endpoint"


@pytest.mark.parametrize("value", ["plantrace", "/plantrace/", "ftp://host/x", "https://"])
def test_a_base_url_that_is_not_one_is_a_one_line_error(value: str) -> None:
    with pytest.raises(PlantraceError, match=r"^PLANTRACE_BASE_URL: expected the public") as err:
        load_settings({"PLANTRACE_BASE_URL": value})
    assert "\n" not in str(err.value)
    assert load_settings({"PLANTRACE_BASE_URL": "https://a.example/p/"}).https
