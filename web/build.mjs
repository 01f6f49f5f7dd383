// Builds the web workspace into dist/ (checked in, embedded in the binary by web.go):
//   node build.mjs            -> dist/
//   node build.mjs --out DIR  -> DIR (the test compares it with dist/)
// The output depends only on src/ and the pinned packages of package-lock.json: no timestamps,
// no absolute paths, names hashed from content.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf("--out");
const out = i > 0 ? process.argv[i + 1] : join(here, "dist");

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: ["src/main.tsx"],
  bundle: true,
  write: false,
  format: "esm",
  target: ["chrome111", "firefox115", "safari16.4"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: "out",
  charset: "utf8",
  logLevel: "warning",
});

const hash = (b) => createHash("sha256").update(b).digest("hex").slice(0, 12);
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });
const js = result.outputFiles.find((f) => f.path.endsWith(".js")).contents;
const css = readFileSync(join(here, "src/app.css"));
const jsName = `app-${hash(js)}.js`;
const cssName = `app-${hash(css)}.css`;
writeFileSync(join(out, "assets", jsName), js);
writeFileSync(join(out, "assets", cssName), css);
const html = readFileSync(join(here, "src/index.html"), "utf8")
  .replace("{{js}}", `/assets/${jsName}`)
  .replace("{{css}}", `/assets/${cssName}`);
writeFileSync(join(out, "index.html"), html);
console.log(`web: built ${jsName} (${js.length} bytes), ${cssName} (${css.length} bytes) into ${out}`);
