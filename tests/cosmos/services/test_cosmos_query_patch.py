"""The local server's query engine patch (``emulators/cosmos_query_patch.py``): every page of
a set of queries is the same with and without it, it acts on the engine the server loads, and
the server refuses to start where the engine is not the one it was written for."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from vaultbrowser.emulators.cosmos_query_patch import QUERY_ENGINE_PATCH, QUERY_ENGINE_VERSION
from vaultbrowser.emulators.cosmos_server import (
    COSMOS_SERVER_ENV_VAR,
    CosmosServer,
    CosmosServerUnavailable,
)

# One container of 60 documents (missing fields, arrays of objects, nested arrays with null),
# then every query in pages of 7 and unpaged; the pages (or the error) of each, as JSON.
_QUERIES_SCRIPT = r"""
const pkg = process.argv[1];
PATCH
const Account = require(pkg + "/lib/account").default;
const account = new Account("127.0.0.1", 1);
account.databases.create({ id: "d" });
const db = account.database("d");
db.collections.create({ id: "c", partitionKey: { paths: ["/pk"], kind: "Hash" } });
const coll = db.collection("c");
for (let i = 0; i < 60; i++) coll.documents.create({
  id: `i${i}`, pk: `p${i % 3}`, n: i % 7 === 0 ? undefined : (i * 37) % 60,
  tags: i % 5 ? [{ name: "a" + (i % 4) }, { name: "b" }] : undefined,
  kids: [{ pets: [{ g: i }, { g: i + 1 }] }], nested: { x: [1, null, { y: i }] } });
const queries = JSON.parse(process.argv[2]);
const out = [];
for (const query of queries) for (const maxItemCount of [null, 7]) {
  const pages = [];
  let continuation = null;
  try {
    do {
      const page = coll.documents.query(
        { query, parameters: [{ name: "@p", value: "p2" }] }, { maxItemCount, continuation });
      pages.push(page.result);
      continuation = page.continuation;
    } while (continuation && pages.length < 50);
  } catch (err) { pages.push(`error: ${err.message}`); }
  out.push({ query, maxItemCount, pages });
}
const engine = require(require.resolve("@zeit/cosmosdb-query",
  { paths: [pkg + "/lib/account"] })).default;
const code = engine("SELECT c.id, t FROM c JOIN t IN c.tags").code;
console.log(JSON.stringify({ out, code },
  (key, value) => (key === "_etag" || key === "_ts" ? undefined : value)));  // random, time
"""

_QUERIES = [
    "SELECT * FROM c", "SELECT c.id FROM c WHERE c.n > 10", "SELECT * FROM c WHERE c.pk = @p",
    "SELECT VALUE c.n FROM c ORDER BY c.n DESC", "SELECT TOP 5 * FROM c ORDER BY c.id",
    "SELECT c.id, t.name FROM c JOIN t IN c.tags",
    "SELECT p.g FROM c JOIN k IN c.kids JOIN p IN k.pets WHERE p.g > 30",
    "SELECT f.id FROM c f JOIN (SELECT VALUE t FROM t IN f.tags WHERE t.name = 'b') x",
    "SELECT c.id FROM c WHERE EXISTS(SELECT VALUE t FROM t IN c.tags WHERE t.name = 'a1')",
    "SELECT c.id, ARRAY(SELECT VALUE t.name FROM t IN c.tags) AS names FROM c",
    "SELECT COUNT(1) FROM c", "SELECT VALUE COUNT(1) FROM c JOIN t IN c.tags",
    "SELECT SUM(c.n) AS s FROM c WHERE c.pk = 'p1'", "SELECT c.nested.x FROM c",
    "SELECT c.kids[0].pets FROM c", "SELECT * FROM c.tags t",
]


@pytest.fixture(scope="module")
def server_package() -> Path:
    node, package = shutil.which("node"), CosmosServer.find_package()
    if node is None or package is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs Node.js and @vercel/cosmosdb-server (npm ci)")
        pytest.skip("Node.js or @vercel/cosmosdb-server is missing (npm install)")
    return package


def _run_queries(package: Path, patched: bool) -> dict[str, object]:
    script = _QUERIES_SCRIPT.replace("PATCH", QUERY_ENGINE_PATCH if patched else "")
    done = subprocess.run(["node", "-e", script, str(package.resolve()), json.dumps(_QUERIES)],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_every_page_of_every_query_is_the_same_with_the_patch(server_package: Path) -> None:
    plain, patched = _run_queries(server_package, False), _run_queries(server_package, True)
    assert patched["out"] == plain["out"]
    pages = {(run["query"], run["maxItemCount"]): run["pages"] for run in plain["out"]}
    # the comparison saw rows, pages and joins, not only errors
    assert len(pages[("SELECT * FROM c", 7)]) == 9
    assert sum(map(len, pages[("SELECT c.id, t.name FROM c JOIN t IN c.tags", None)])) == 96
    # the patch rewrote the code the server runs: no copy of the rows so far per row
    assert "[...$" in plain["code"] and "[...$" not in patched["code"]


def _package_with_engine(tmp_path: Path, server_package: Path, change: str) -> Path:
    """A copy of the server package (its lib linked) with its own copy of the engine, changed."""
    found = subprocess.run(
        ["node", "-p", "require('path').dirname(require.resolve('@zeit/cosmosdb-query',"
         f" {{ paths: [{json.dumps(str(server_package.resolve() / 'lib' / 'account'))}] }}))"],
        capture_output=True, text=True, timeout=30, check=True)
    engine = Path(found.stdout.strip()).parent
    package = tmp_path / "cosmosdb-server"
    package.mkdir()
    (package / "lib").symlink_to(server_package.resolve() / "lib")
    copy = package / "node_modules" / "@zeit" / "cosmosdb-query"
    (copy / "lib").mkdir(parents=True)
    for part in (engine / "lib").iterdir():  # its own lib; its dependencies where they are
        shutil.copy(part, copy / "lib" / part.name)
    shutil.copy(engine / "package.json", copy / "package.json")
    (copy / "node_modules").symlink_to(engine.parent.parent)
    if change == "version":
        manifest = json.loads((copy / "package.json").read_text(encoding="utf-8"))
        manifest["version"] = "9.9.9"
        (copy / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
    else:  # the code it generates takes another shape
        transformer = copy / "lib" / "transformer.js"
        text = transformer.read_text(encoding="utf-8")
        transformer.write_text(text.replace('name: "reduce"', 'name: "reduceRight"'),
                               encoding="utf-8")
    return package


@pytest.mark.parametrize("change", ["version", "shape"])
def test_the_server_refuses_to_start_with_an_engine_the_patch_was_not_written_for(
        server_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        change: str) -> None:
    package = _package_with_engine(tmp_path, server_package, change)
    monkeypatch.setenv(COSMOS_SERVER_ENV_VAR, str(package))
    server = CosmosServer(workdir=tmp_path / "work")
    with pytest.raises(CosmosServerUnavailable, match="query patch") as raised:
        server.start()
    assert f"@zeit/cosmosdb-query {QUERY_ENGINE_VERSION}" in str(raised.value)
    assert ("found @zeit/cosmosdb-query 9.9.9" if change == "version"
            else "no longer has the shape") in str(raised.value)
    assert not server.running
    server.stop()
