// Cold import time of @kenar/node (the built dist, as users get it): a fresh
// Node process per run imports the package and reports how long it took.
// Needs `pnpm build` first.   node bench/import-time.mjs [runs]
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const here = fileURLToPath(new URL("..", import.meta.url))
if (!existsSync(`${here}/dist/index.js`)) {
  console.error("build first: pnpm build")
  process.exit(1)
}
const runs = Number(process.argv[2] ?? 9)
const probe = (specifier) =>
  `const t=performance.now();await import(${JSON.stringify(specifier)});console.log(performance.now()-t)`
const measure = (specifier) => {
  const times = []
  for (let i = 0; i < runs; i++) {
    times.push(
      Number(
        execFileSync(process.execPath, ["--input-type=module", "-e", probe(specifier)], {
          cwd: here,
          encoding: "utf8"
        })
      )
    )
  }
  times.sort((a, b) => a - b)
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] }
}
console.log(`cold import, ${runs} fresh processes each (node ${process.version})`)
console.log("| module | median ms | min | max |")
console.log("|---|---:|---:|---:|")
for (const specifier of ["effect/Effect", "undici", "@kenar/core", "@kenar/node"]) {
  const { median, min, max } = measure(specifier)
  console.log(`| ${specifier} | ${median.toFixed(1)} | ${min.toFixed(1)} | ${max.toFixed(1)} |`)
}
