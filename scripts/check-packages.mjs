// `pnpm check:packages`: checks every published package as it would be
// published. Each one is packed with `pnpm pack` (workspace:* rewritten, as
// `pnpm publish` does) and the tarball is checked by
//   - publint --strict (package.json fields, exports, files),
//   - @arethetypeswrong/cli (types resolve under node10, node16 CJS/ESM, bundler),
//   - our own rules: no `workspace:` specifier left, no test files shipped,
//     one version for all (the fixed changesets group), an `engines.node`.
// Needs `pnpm build` first. Exits non-zero on any problem.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assertBuilt, pack, publishedPackages, readFromTarball, root, seconds } from "./lib/workspace.mjs"

const bin = (name) => join(root, "node_modules", ".bin", name)
const started = Date.now()
const pkgs = publishedPackages()
assertBuilt(pkgs)
const out = mkdtempSync(join(tmpdir(), "kenar-check-packages-"))

/** Runs a command, collecting its output (printed later, in order); resolves to whether it passed. */
const run = (label, command, args, log) =>
  new Promise((resolve) => {
    const { FORCE_COLOR: _, ...env } = process.env // picocolors colours whenever FORCE_COLOR is set, even to 0
    const child = spawn(command, args, { cwd: root, env: { ...env, NO_COLOR: "1" } })
    let output = ""
    child.stdout.on("data", (chunk) => {
      output += chunk
    })
    child.stderr.on("data", (chunk) => {
      output += chunk
    })
    child.on("error", (error) => {
      output += String(error)
    })
    child.on("close", (code) => {
      log.push(`--- ${label}`, output.trimEnd())
      resolve(code === 0)
    })
  })

/** Runs `task` over `items`, at most `limit` at a time (attw takes ~5 s a package). */
const pool = async (items, limit, task) => {
  const results = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

try {
  const packed = pkgs.map((pkg) => ({ pkg, ...pack(pkg, out) }))
  const checked = await pool(packed, 2, async ({ pkg, tarball, files }) => {
    const log = [`\n=== ${pkg.name}@${pkg.version}: ${files.length} files in ${tarball}`]
    const problems = []
    const manifest = JSON.parse(readFromTarball(tarball, "package.json"))
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const [dep, spec] of Object.entries(manifest[field] ?? {})) {
        if (String(spec).startsWith("workspace:")) problems.push(`${field}.${dep} is still "${spec}"`)
      }
    }
    const tests = files.filter((file) => /(^|\/)(test|tests|__tests__)\/|\.test(-d)?\.tsx?$/.test(file))
    if (tests.length > 0) problems.push(`ships test files: ${tests.join(", ")}`)
    if (!manifest.engines?.node) problems.push("no engines.node")
    if (manifest.sideEffects !== false) problems.push('"sideEffects" is not false')
    for (const problem of problems) log.push(`  problem: ${problem}`)
    const publint = await run(
      `publint --strict (${pkg.name})`,
      bin("publint"),
      ["run", "--strict", tarball],
      log
    )
    const attw = await run(
      `attw (${pkg.name})`,
      bin("attw"),
      [tarball, "--format", "ascii", "--no-color", "--no-emoji"],
      log
    )
    return { log, result: { name: pkg.name, files: files.length, own: problems.length === 0, publint, attw } }
  })
  for (const { log } of checked) console.log(log.join("\n"))
  const results = checked.map(({ result }) => result)

  const versions = new Set(pkgs.map((pkg) => pkg.version))
  const sameVersion = versions.size === 1
  console.log("\npackage            files  rules  publint  attw")
  for (const r of results) {
    const mark = (ok) => (ok ? "ok" : "FAIL").padEnd(5)
    console.log(
      `${r.name.padEnd(18)} ${String(r.files).padStart(5)}  ${mark(r.own)}  ${mark(r.publint)}    ${mark(r.attw)}`
    )
  }
  console.log(
    sameVersion
      ? `one version for all (fixed group): ${[...versions][0]}`
      : `FAIL: versions differ, but @kenar/* is one fixed group: ${pkgs.map((p) => `${p.name}@${p.version}`).join(", ")}`
  )
  const failed = results.filter((r) => !(r.own && r.publint && r.attw)).length + (sameVersion ? 0 : 1)
  console.log(
    `check:packages: ${results.length} packages, ${failed} failed (${seconds(Date.now() - started)})`
  )
  process.exitCode = failed > 0 ? 1 : 0
} finally {
  rmSync(out, { recursive: true, force: true })
}
