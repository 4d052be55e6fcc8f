"""Loading a dataset file for ``serve --dataset`` (api.workers.backend.load_dataset), and
reading a remote store's generation (``RemoteGenerations``)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_async

from api.workers.backend import Generation, RemoteGenerations, load_dataset
from kg.errors import PlantraceError

QUADS = "<urn:a> <urn:p> <urn:b> <urn:g1> .\n<urn:c> <urn:p> <urn:d> <urn:g2> .\n"


def _open(path: Path) -> ox.Store:
    return ox.Store.read_only(str(path))


def test_named_graphs_are_kept_and_the_default_graph_is_their_union(tmp_path: Path) -> None:
    source = tmp_path / "data.nq"
    source.write_text(QUADS, encoding="utf-8")
    assert load_dataset(source, tmp_path / "store") == 4
    store = _open(tmp_path / "store")
    assert {g.value for g in store.named_graphs()} == {"urn:g1", "urn:g2"}  # type: ignore[union-attr]
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 2


def test_turtle_goes_to_the_default_graph(tmp_path: Path) -> None:
    source = tmp_path / "data.ttl"
    source.write_text("<urn:a> <urn:p> <urn:b> .\n", encoding="utf-8")
    assert load_dataset(source, tmp_path / "store") == 1
    assert list(_open(tmp_path / "store").named_graphs()) == []


def test_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("<urn:a> <urn:p> .\n", encoding="utf-8")
    with pytest.raises(PlantraceError, match=r"bad\.nq: expected valid N-Quads"):
        load_dataset(bad, tmp_path / "s1")
    with pytest.raises(PlantraceError, match="expected an RDF file"):
        load_dataset(tmp_path / "x.csv", tmp_path / "s2")


# --- a remote store's generations (RemoteGenerations) -------------------------------------------


def _stamp(*tokens: str) -> bytes:
    """A store's HTTP answer to the stamp query, with these tokens (none: no stamp)."""
    rows = [{"token": {"type": "literal", "value": t}} for t in tokens]
    body = json.dumps({"head": {"vars": ["token"]}, "results": {"bindings": rows}})
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode()  # fmt: skip


def test_a_generation_is_used_once_settled_and_never_goes_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A store answering the stamp query on 127.0.0.1: a token is usable ``settle`` seconds
    after it was first seen; a read that answers after a later-started one is not used; a
    store that answers no stamp, or is not there, gives no generation."""

    async def scenario() -> None:
        arrived: asyncio.Queue[asyncio.Future[bytes]] = asyncio.Queue()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
            await arrived.put(answer)
            writer.write(await answer)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        stamps = RemoteGenerations(f"http://127.0.0.1:{port}/query", settle=0.3, timeout=5)

        async def read(token: str) -> Generation | None:
            reading = asyncio.ensure_future(stamps.read())
            (await arrived.get()).set_result(_stamp(token))
            return await reading

        try:
            assert await read("t1") is None and stamps.token == "t1"  # (just seen)
            await stamps.settled()
            first = await read("t1")
            assert first is not None and first.token == "t1"
            assert first.published >= time.time() - 1
            slow = asyncio.ensure_future(stamps.read())
            held = await arrived.get()  # the first read waits at the store ...
            assert await read("t2") is None  # (a new token: not settled yet)
            held.set_result(_stamp("t1"))
            assert await slow is None  # ... and answers after the second: not used
            await stamps.settled()
            second = await read("t2")
            assert second is not None and second.token == "t2"
            assert second.published > first.published
            reading = asyncio.ensure_future(stamps.read())
            (await arrived.get()).set_result(_stamp())
            assert await reading is None and stamps.token is None  # no stamp
            assert "holds no stamp" in caplog.text  # (said once, not on every request)
        finally:
            stamps.close()
            server.close()
            await server.wait_closed()
        gone = RemoteGenerations(f"http://127.0.0.1:{port}/query", settle=0, timeout=2)
        assert await gone.read() is None  # nobody answers
        assert "did not answer" in caplog.text
        gone.close()

    run_async(scenario())
