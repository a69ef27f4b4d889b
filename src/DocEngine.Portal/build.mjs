// Bundles the page into the folder given as the first argument (dist/ by default): app.js, index.html, styles.css, favicon.svg.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";

const out = process.argv[2] ?? "dist";
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  outfile: join(out, "app.js"),
  logLevel: "warning",
});
for (const file of ["index.html", "styles.css", "favicon.svg"]) {
  await copyFile(join("src", file), join(out, file));
}
