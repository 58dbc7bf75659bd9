"""A runtime patch of the local Cosmos DB server's query engine, applied by our launcher
(``cosmos_server.py``) before the server answers anything.

Why: ``@vercel/cosmosdb-server`` evaluates the whole query again for every page (its continuation
token is a position, not a cursor), and its engine, ``@zeit/cosmosdb-query`` **0.7.2**, made that
evaluation quadratic in the container's size. A page of ``SELECT * FROM c`` (pages of 1,000,
in-process, 2 busy cores) took ~0.2 s at 10,000 items, 2-3 s at 20,000, 25 s at 50,000 (past
the app's 30 s read timeout over HTTP); patched: ~0.1 s, ~0.15 s, ~0.1-0.2 s. The flaws:

- the code it generates for ``FROM`` (and every ``JOIN``) collects rows with
  ``rows.reduce(($, d) => [...$, {…}], [])``: a copy of all the rows so far for every row.
  The patch rewrites that reducer, in the engine's JavaScript AST before code is generated,
  to push onto its accumulator (a fresh ``[]`` only the result of ``reduce`` is read from, so
  the rows and their order are the same);
- ``stripUndefined`` (the page's rows, and every array in them) did the same with
  ``[...o, v]``: replaced by a linear function with the same result;
- without ``ORDER BY`` the rows are sorted by ``_rid`` with a comparator that read it through
  the query's own ``$ => $.c._rid`` twice per comparison (most of a page's time once the
  above was fixed): the same sort, the same comparator, over each row's ``_rid`` read once.

What the server answers does not change: ``tests/cosmos/services/test_cosmos_query_patch.py``
runs a set of queries (joins, subqueries, ``ORDER BY``, aggregates, ``TOP``, parameters, in pages
and not) through the engine with and without the patch and compares every page; the Cosmos
tests run against the patched server.

It fails loudly (the launcher exits with a message, ``CosmosServer.start`` raises
``CosmosServerUnavailable``) where the engine is not 0.7.2 or its generated code no longer has
the shape rewritten: check the patch against the new version, then update ``QUERY_ENGINE_VERSION``.
Expects ``pkg`` (the server package's folder) in scope; uses only Node's own modules.
"""

from __future__ import annotations

__all__ = ["QUERY_ENGINE_PATCH", "QUERY_ENGINE_VERSION"]

QUERY_ENGINE_VERSION = "0.7.2"

QUERY_ENGINE_PATCH = r"""
(() => {
  const path = require("path");
  const expected = "__ENGINE_VERSION__";
  const fail = (why) => {
    console.error(`cosmosdb-server query patch: ${why}. It was written for ` +
      `@zeit/cosmosdb-query ${expected}: see vaultbrowser/emulators/cosmos_query_patch.py`);
    process.exit(4);
  };
  const engine = path.dirname(require.resolve("@zeit/cosmosdb-query",
    { paths: [path.join(pkg, "lib", "account")] }));
  const version = require(path.join(engine, "..", "package.json")).version;
  if (version !== expected) fail(`found @zeit/cosmosdb-query ${version}`);
  const transformer = require(path.join(engine, "transformer.js"));
  const helpers = require(path.join(engine, "helpers.js"));
  const id = (name) => ({ type: "Identifier", name });
  const isAcc = (n) => n && n.type === "Identifier" && n.name === "$";
  const spreadsAcc = (n) => n && n.type === "SpreadElement" && isAcc(n.argument);
  // `rows.reduce(($, d) => [...$, ...], [])` copies the rows so far for every row: O(n²).
  // The accumulator is the fresh `[]` and only the result is used, so pushing onto it
  // answers the same rows in the same order.
  const linearBody = (body) => {
    if (body.type === "ConditionalExpression" && isAcc(body.alternate)
        && body.consequent.type === "ArrayExpression"
        && body.consequent.elements.length === 2 && spreadsAcc(body.consequent.elements[0])
        && body.consequent.elements[1].type !== "SpreadElement") {
      return { ...body, consequent: { type: "SequenceExpression", expressions: [
        { type: "CallExpression", callee: { type: "MemberExpression", object: id("$"),
          property: id("push"), computed: false }, arguments: [body.consequent.elements[1]] },
        id("$")] } };
    }
    if (body.type === "ArrayExpression" && body.elements.length === 2
        && spreadsAcc(body.elements[0]) && body.elements[1].type === "SpreadElement") {
      return { type: "CallExpression", callee: { type: "MemberExpression", object: id("$h"),
        property: id("vbAppend"), computed: false },
        arguments: [id("$"), body.elements[1].argument] };
    }
    return null;
  };
  const linearize = (root) => {
    const seen = new Set();
    const visit = (node) => {
      if (!node || typeof node !== "object" || seen.has(node)) return;
      seen.add(node);
      if (node.type === "CallExpression" && node.callee.type === "MemberExpression"
          && !node.callee.computed && node.callee.property.name === "reduce"
          && node.arguments.length === 2 && node.arguments[1].type === "ArrayExpression"
          && node.arguments[1].elements.length === 0
          && node.arguments[0].type === "ArrowFunctionExpression"
          && isAcc(node.arguments[0].params[0])) {
        const body = linearBody(node.arguments[0].body);
        if (body) node.arguments[0] = { ...node.arguments[0], body };
      }
      for (const value of Object.values(node)) {
        if (Array.isArray(value)) value.forEach(visit); else visit(value);
      }
    };
    visit(root);
    return root;
  };
  // what `[...$, ...values]` reads of values: its iterator
  helpers.vbAppend = (rows, values) => { for (const v of values) rows.push(v); return rows; };
  // the same, linear: `[...o, v]` per element made a page's rows O(n²) too
  const stripUndefined = (obj) => {
    if (Array.isArray(obj)) {
      const out = [];
      obj.forEach((v) => { if (typeof v !== "undefined") out.push(stripUndefined(v)); });
      return out;
    }
    if (obj && typeof obj === "object") {
      const out = {};
      Object.entries(obj).forEach(([k, v]) => {
        if (typeof v !== "undefined") out[k] = stripUndefined(v);
      });
      return out;
    }
    return obj;
  };
  helpers.stripUndefined = stripUndefined;
  // Without ORDER BY the rows sort by `_rid` alone, and the comparator read it through the
  // query's `$ => $.c._rid` twice per comparison (most of a page's time): the same sort, the
  // same comparator, over each row's `_rid` read once.
  const sort = helpers.sort;
  helpers.sort = (collection, getRid, compositeIndexes, ...orders) => {
    if (orders.length) return sort(collection, getRid, compositeIndexes, ...orders);
    const keyed = collection.map((row) => ({ row, rid: getRid(row) }));
    return sort(keyed, ridOf, compositeIndexes).map(({ row }) => row);
  };
  const ridOf = ({ rid }) => rid;
  const transform = transformer.default;
  transformer.default = (ast) => linearize(transform(ast));
  const probe = require(engine).default(
    "SELECT c.id, t FROM c JOIN t IN c.tags WHERE c.n > 1").code;
  if (probe.includes("[...$") || !probe.includes("$h.vbAppend")) {
    fail("the engine's code no longer has the shape the patch rewrites");
  }
})();
""".replace("__ENGINE_VERSION__", QUERY_ENGINE_VERSION)
