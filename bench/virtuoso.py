"""A throwaway Virtuoso 7.2 (Debian's ``virtuoso-opensource``): its ``virtuoso.ini`` and the one
grant plantrace needs, shared by the integration tests (``tests/servers.py``) and the store
benchmark (:mod:`bench.stores`), and quoted in docs/integrators.md ("Virtuoso")."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""
"""Its files in one directory, SQL and HTTP on 127.0.0.1 only, and SPARQL answers not cut at
Debian's default 10,000 rows."""

GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL";'
"""What plantrace needs of a Virtuoso 7.2: SPARQL Update (and the Graph Store endpoint) for the
anonymous ``SPARQL`` user of ``/sparql``."""


def binaries() -> tuple[str, str] | None:
    """``virtuoso-t`` and ``isql-vt``, if installed."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    return (server, isql) if server and isql else None


def configure(directory: Path, sql_port: int, http_port: int) -> list[str]:
    """Write ``virtuoso.ini`` into ``directory``; the command that runs Virtuoso on it."""
    found = binaries()
    if found is None:
        raise RuntimeError("virtuoso-t and isql-vt (Debian: virtuoso-opensource) are missing")
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    return [found[0], "+foreground", "+configfile", str(ini)]


def grant(sql_port: int) -> None:
    """Give the anonymous SPARQL user what plantrace needs (:data:`GRANTS`), as ``dba``."""
    found = binaries()
    assert found is not None
    done = subprocess.run(
        [found[1], str(sql_port), "dba", "dba", f"exec={GRANTS}"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if done.returncode != 0 or "Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql: {done.stdout} {done.stderr}")
