// Prints the licence of every npm package that esbuild put into the
// bundle, from its metafile: name, version, licence name and text.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const meta = JSON.parse(readFileSync(process.argv[2], "utf8"));
const dirs = new Set();
for (const input of Object.keys(meta.inputs)) {
  const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  if (m) dirs.add(m[1]);
}
const out = ["Third-party software in editor.js and editor.css, with its licences.", ""];
for (const dir of [...dirs].sort()) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  out.push("=".repeat(72), `${pkg.name} ${pkg.version} (${pkg.license || "see below"})`, "");
  if (file && existsSync(join(dir, file))) {
    out.push(readFileSync(join(dir, file), "utf8").trim());
  } else {
    out.push(`The package ships no licence file; its package.json says: ${pkg.license}.`);
  }
  out.push("");
}
process.stdout.write(out.join("\n") + "\n");
