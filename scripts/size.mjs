// `pnpm size`: what the SDK costs in a browser bundle. Bundles small programs
// against the built packages (dist/, as users get them) with esbuild for the
// browser, minified, and measures them gzipped (level 9):
//   one-operation   Posts.getUserPost run with BrowserKenarClient.layer
//   all-operations  the Promise client BrowserKenarClient.makePromise (all 14)
//   react-one-hook  @kenar/react: KenarProvider + useUserPost over the browser
//                   layer (react, react-dom, @tanstack/react-query external)
// The programs import the SDK's modules by path (`@kenar/core/Posts`), as
// effect's own modules are imported (`effect/Effect`): esbuild keeps every
// member of a namespace imported through a package's index
// (`import { Posts } from "@kenar/core"`, evanw/esbuild#1420), so through the
// index one operation costs as much as all 14. The same two programs through
// the index are measured too, for information (no budget); Rollup/Vite and
// webpack drop unused namespace members either way.
// Prints sizes against budgets, the top contributing modules (esbuild
// metafile, minified bytes) and why heavy effect modules are in the bundle
// (the first import chain through modules that are in it). Exits non-zero
// when a budget is exceeded or one operation does not cost measurably less
// than all of them. Needs `pnpm build` first; CI runs it (`.ci/run`).
//   node scripts/size.mjs [--source] [--top N] [--why REGEX] [--json FILE]
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { gzipSync } from "node:zlib"
import * as esbuild from "esbuild"
import { assertBuilt, publishedPackages, root } from "./lib/workspace.mjs"

const KB = 1024
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const index = args.indexOf(name)
  return index === -1 ? fallback : args[index + 1]
}
const top = Number(option("--top", "30"))
const why = option("--why", undefined)
const jsonOut = option("--json", undefined)
// --source: bundle the TypeScript sources (src/, one module per file) instead of dist/ (one file per
// package), to see which source files cost what and what module-level tree shaking would give
const fromSource = args.includes("--source")

const onePost = `.then((post) => console.log(post.general_data.title))`

/** The measured programs and their budgets (KB, minified + gzip); `budget: undefined` is for information. */
const scenarios = [
  {
    name: "one-operation",
    what: "Posts.getUserPost + BrowserKenarClient.layer",
    budget: 40,
    code: `
      import * as Posts from "@kenar/core/Posts"
      import * as BrowserKenarClient from "@kenar/browser/BrowserKenarClient"
      import * as Effect from "effect/Effect"
      Effect.runPromise(
        Posts.getUserPost({ token: "AaEB0vbO" }).pipe(Effect.provide(BrowserKenarClient.layer({ baseUrl: "/api/kenar" })))
      )${onePost}
    `
  },
  {
    name: "all-operations",
    what: "BrowserKenarClient.makePromise (all 14)",
    budget: 50,
    code: `
      import * as BrowserKenarClient from "@kenar/browser/BrowserKenarClient"
      const kenar = BrowserKenarClient.makePromise({ baseUrl: "/api/kenar" })
      kenar.getUserPost({ token: "AaEB0vbO" })${onePost}
    `
  },
  {
    name: "react-one-hook",
    what: "KenarProvider + useUserPost + browser layer",
    // The provider builds the Promise client over the layer, so all 14 operations come along, and
    // core's uploads over the layer (the default when no `uploads` is given) with effect's
    // HttpClient. The issue sets no budget for this program: this one guards against regressions
    // (measured 63.5 KB when it was set).
    budget: 65,
    external: ["react", "react-dom", "react/jsx-runtime", "@tanstack/react-query"],
    code: `
      import * as BrowserKenarClient from "@kenar/browser/BrowserKenarClient"
      import { KenarProvider, useUserPost } from "@kenar/react"
      import { createElement } from "react"
      const layer = BrowserKenarClient.layer({ baseUrl: "/api/kenar" })
      const Title = () => useUserPost({ token: "AaEB0vbO" }).data?.general_data.title ?? null
      export const App = () => createElement(KenarProvider, { layer }, createElement(Title))
    `
  },
  {
    name: "one-op-index",
    what: "one-operation through the index (info)",
    budget: undefined,
    code: `
      import { Posts } from "@kenar/core"
      import { BrowserKenarClient } from "@kenar/browser"
      import * as Effect from "effect/Effect"
      Effect.runPromise(
        Posts.getUserPost({ token: "AaEB0vbO" }).pipe(Effect.provide(BrowserKenarClient.layer({ baseUrl: "/api/kenar" })))
      )${onePost}
    `
  },
  {
    name: "all-ops-index",
    what: "all-operations through the index (info)",
    budget: undefined,
    code: `
      import { BrowserKenarClient } from "@kenar/browser"
      const kenar = BrowserKenarClient.makePromise({ baseUrl: "/api/kenar" })
      kenar.getUserPost({ token: "AaEB0vbO" })${onePost}
    `
  }
]
/** One operation must cost at least this much less than all of them (KB gzip). */
const minSaving = 2

assertBuilt(publishedPackages())

/**
 * Resolves `@kenar/<pkg>[/<entry>]` to the built ESM file, as the package's "import" condition does
 * (with --source: to src/<entry>.ts).
 */
const kenarDist = {
  name: "kenar-dist",
  setup(build) {
    build.onResolve({ filter: /^@kenar\/[^/]+(\/[^/]+)?$/ }, ({ path }) => {
      const [, pkg, entry = "index"] = /^@kenar\/([^/]+)(?:\/([^/]+))?$/.exec(path)
      const file = join(
        root,
        "packages",
        pkg,
        fromSource ? "src" : "dist",
        `${entry}${fromSource ? ".ts" : ".js"}`
      )
      return existsSync(file)
        ? { path: file }
        : { errors: [{ text: `${path}: no ${file} (run pnpm build)` }] }
    })
    // with --source: only the version of a package.json, as the build inlines it (KenarConfig.VERSION)
    build.onLoad({ filter: /packages[\\/][^\\/]+[\\/]package\.json$/ }, ({ path }) => ({
      contents: JSON.stringify({ version: JSON.parse(readFileSync(path, "utf8")).version }),
      loader: "json"
    }))
  }
}

const bundle = async (scenario) => {
  const result = await esbuild.build({
    stdin: { contents: scenario.code, resolveDir: join(root, "packages", "browser"), loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
    external: scenario.external ?? [],
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [kenarDist],
    outfile: "out.js"
  })
  const code = result.outputFiles[0].contents
  const output = Object.values(result.metafile.outputs)[0]
  return {
    ...scenario,
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    metafile: result.metafile,
    modules: Object.entries(output.inputs)
      .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
      .filter((module) => module.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes)
  }
}

/** A short module name: `effect/Stream.js`, `effect/internal/...`, `@kenar/core`, ... */
const short = (path) => {
  const effect = /node_modules\/effect\/dist\/(.+)$/.exec(path)
  if (effect) return `effect/${effect[1]}`
  const kenar = /packages\/([^/]+)\/(dist|src)\/(.+)$/.exec(path)
  if (kenar) return `@kenar/${kenar[1]} (${kenar[2]}/${kenar[3]})`
  const other = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(path)
  if (other) return `${other[1]}/${other[2]}`
  return path.startsWith("<stdin>") ? "(entry)" : relative(root, path)
}

/**
 * The shortest import chain from the entry to a module matching `pattern` (metafile's import graph),
 * through modules that have code in the bundle or are an index (which only re-exports).
 */
const chainTo = (metafile, pattern) => {
  const inputs = metafile.inputs
  const kept = Object.values(metafile.outputs)[0].inputs
  const through = (path) => kept[path] !== undefined || /(^|\/)index\.[jt]s$/.test(path)
  const start = Object.keys(inputs).find((path) => path.startsWith("<stdin>"))
  const previous = new Map([[start, null]])
  const queue = [start]
  while (queue.length > 0) {
    const current = queue.shift()
    if (current !== start && pattern.test(current)) {
      const chain = []
      for (let at = current; at !== null; at = previous.get(at)) chain.unshift(short(at))
      return chain
    }
    for (const { path } of inputs[current]?.imports ?? []) {
      if (!previous.has(path) && inputs[path] !== undefined && through(path)) {
        previous.set(path, current)
        queue.push(path)
      }
    }
  }
  return undefined
}

const fmt = (bytes) => `${(bytes / KB).toFixed(1)} KB`
const results = []
for (const scenario of scenarios) results.push(await bundle(scenario))

console.log(
  `browser bundle sizes (esbuild, minified, gzip -9), ${fromSource ? "from the TypeScript sources (src/), for analysis" : "built packages (dist/)"}\n`
)
console.log(
  `${"scenario".padEnd(16)} ${"program".padEnd(46)} ${"min".padStart(9)} ${"gzip".padStart(9)} ${"budget".padStart(8)}  result`
)
const failures = []
for (const r of results) {
  const over = r.budget !== undefined && r.gzip > r.budget * KB
  if (over) failures.push(`${r.name}: ${fmt(r.gzip)} gzip is over its budget of ${r.budget} KB`)
  const budget = r.budget === undefined ? "-" : `${r.budget} KB`
  const result = r.budget === undefined ? "(info)" : over ? `OVER by ${fmt(r.gzip - r.budget * KB)}` : "ok"
  console.log(
    `${r.name.padEnd(16)} ${r.what.padEnd(46)} ${fmt(r.minified).padStart(9)} ${fmt(r.gzip).padStart(9)} ${budget.padStart(8)}  ${result}`
  )
}
const one = results.find((r) => r.name === "one-operation")
const all = results.find((r) => r.name === "all-operations")
const saving = all.gzip - one.gzip
const savingOk = saving >= minSaving * KB
if (!savingOk)
  failures.push(`one operation saves only ${fmt(saving)} gzip over all 14 (want >= ${minSaving} KB)`)
console.log(
  `\none operation vs all 14: ${fmt(saving)} gzip less (want >= ${minSaving} KB): ${savingOk ? "ok" : "FAIL"}`
)

const packageOf = (path) => {
  const name = short(path)
  if (name.startsWith("effect/")) return "effect"
  if (name.startsWith("@kenar/")) return name.split(" ")[0]
  return name === "(entry)" ? "(entry)" : name.split("/")[0]
}
for (const r of results) {
  const byPackage = new Map()
  for (const module of r.modules)
    byPackage.set(packageOf(module.path), (byPackage.get(packageOf(module.path)) ?? 0) + module.bytes)
  console.log(
    `\n${r.name}: ${r.modules.length} modules; by package (minified): ${[...byPackage]
      .sort((a, b) => b[1] - a[1])
      .map(([name, bytes]) => `${name} ${fmt(bytes)}`)
      .join(", ")}`
  )
}

console.log(`\ntop ${top} modules of one-operation (minified bytes in the bundle, before gzip)`)
const total = one.modules.reduce((sum, module) => sum + module.bytes, 0)
for (const [index, module] of one.modules.slice(0, top).entries()) {
  console.log(
    `${String(index + 1).padStart(3)}. ${fmt(module.bytes).padStart(9)} ${((module.bytes / total) * 100).toFixed(1).padStart(5)}%  ${short(module.path)}`
  )
}

// why heavy, unexpected modules are there (the first import chain from the entry), for one-operation
// and for every scenario over its budget
const suspects = why
  ? [new RegExp(why)]
  : [
      /effect\/dist\/Stream\.js$/,
      /effect\/dist\/Channel\.js$/,
      /effect\/dist\/Queue\.js$/,
      /effect\/dist\/Config\.js$/,
      /effect\/dist\/ManagedRuntime\.js$/,
      /effect\/dist\/http\/HttpClient\.js$/,
      /effect\/dist\/http\/Cookies\.js$/,
      /effect\/dist\/Schema\.js$/,
      /effect\/dist\/Schedule\.js$/,
      /effect\/dist\/persistence\//,
      /packages\/core\/(dist|src)\/Uploads\.[jt]s$/
    ]
const explained = results.filter(
  (r) => r.name === "one-operation" || (r.budget !== undefined && r.gzip > r.budget * KB)
)
for (const r of explained) {
  console.log(`\nwhy is it in ${r.name}? (first import chain from the entry, through modules in the bundle)`)
  for (const pattern of suspects) {
    const chain = chainTo(r.metafile, pattern)
    console.log(`  ${pattern.source}: ${chain ? chain.join(" -> ") : "not in the bundle"}`)
  }
}

if (jsonOut) {
  const data = results.map(({ name, what, budget, minified, gzip, modules }) => ({
    name,
    what,
    budget,
    minified,
    gzip,
    modules: modules.slice(0, 100).map(({ path, bytes }) => ({ module: short(path), bytes }))
  }))
  writeFileSync(jsonOut, `${JSON.stringify(data, null, 2)}\n`)
}

console.log(
  failures.length === 0
    ? "\nsize: every budget holds"
    : `\nsize: FAILED\n${failures.map((f) => `  - ${f}`).join("\n")}`
)
process.exitCode = failures.length > 0 ? 1 : 0
