// `pnpm changeset:check`: a dry run of `changeset version` in a temp copy of
// the workspace's manifests (the repository itself is never touched), then
// asserts what a release would do:
//   - every published package (@kenar/*, one `fixed` group) gets the same new
//     version: the current one bumped by the largest bump of any changeset;
//   - each gets a CHANGELOG.md with that version, and every changeset's text
//     is in the changelog of each package it names;
//   - private packages (examples, apps/*) keep their version and get no
//     changelog;
//   - internal dependencies keep `workspace:*` (pnpm publish rewrites it);
//   - every pending changeset is consumed.
// With no pending changesets it only checks the config. Exits non-zero on any
// failed assertion.
import { execFileSync } from "node:child_process"
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { root, seconds } from "./lib/workspace.mjs"

const started = Date.now()
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"))
const failures = []
const assert = (ok, message) => {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${message}`)
  if (!ok) failures.push(message)
}

// the workspace's packages, from pnpm-workspace.yaml's globs (only "dir/*" and "dir" forms are used here)
const globs = [
  ...readFileSync(join(root, "pnpm-workspace.yaml"), "utf8").matchAll(/^\s*-\s*["']?([^"'\n]+)["']?\s*$/gm)
].map((match) => match[1])
const packageDirs = globs.flatMap((glob) =>
  glob.endsWith("/*")
    ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(glob.slice(0, -2), entry.name))
    : [glob]
)
const workspace = packageDirs
  .filter((dir) => existsSync(join(root, dir, "package.json")))
  .map((dir) => ({ dir, manifest: readJson(join(root, dir, "package.json")) }))
const published = workspace.filter(({ manifest }) => manifest.private !== true)
const privates = workspace.filter(({ manifest }) => manifest.private === true)
console.log(
  `published: ${published.map(({ manifest }) => `${manifest.name}@${manifest.version}`).join(", ")}`
)
console.log(`private:   ${privates.map(({ dir, manifest }) => `${manifest.name} (${dir})`).join(", ")}`)

// config: the published packages form one fixed group; private ones are never versioned
const config = readJson(join(root, ".changeset", "config.json"))
console.log("\n.changeset/config.json")
const globToRegExp = (glob) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`)
const fixedGroup = (config.fixed ?? []).find((group) =>
  published.every(({ manifest }) => group.some((glob) => globToRegExp(glob).test(manifest.name)))
)
assert(
  fixedGroup !== undefined,
  `one fixed group holds every published package (${JSON.stringify(config.fixed)})`
)
assert(
  config.privatePackages?.version === false && config.privatePackages?.tag === false,
  'private packages are never versioned or tagged ("privatePackages": { "version": false, "tag": false })'
)

// pending changesets and the bump they imply
const changesetDir = join(root, ".changeset")
const changesets = readdirSync(changesetDir)
  .filter((file) => file.endsWith(".md") && file !== "README.md")
  .map((file) => {
    const text = readFileSync(join(changesetDir, file), "utf8")
    const match = /^---\n([\s\S]*?)^---\n([\s\S]*)$/m.exec(text)
    if (match === null) throw new Error(`${file}: no front matter`)
    const releases = [...match[1].matchAll(/^\s*["']?([^"':\s]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)].map(
      (m) => ({
        name: m[1],
        type: m[2]
      })
    )
    return { file, releases, summary: match[2].trim() }
  })
const rank = { patch: 1, minor: 2, major: 3 }
const bumps = changesets.flatMap(({ releases }) => releases)
const unknown = bumps.filter(({ name }) => !workspace.some(({ manifest }) => manifest.name === name))
assert(
  unknown.length === 0,
  `every changeset names a workspace package${unknown.length ? `: ${unknown.map((b) => b.name)}` : ""}`
)
const privateBumps = bumps.filter(({ name }) => privates.some(({ manifest }) => manifest.name === name))
assert(privateBumps.length === 0, "no changeset bumps a private package")
console.log(`\n${changesets.length} pending changesets, ${bumps.length} package bumps`)
if (bumps.length === 0) {
  console.log("nothing to release: config checks only")
} else {
  const top = bumps.reduce((a, b) => (rank[b.type] > rank[a.type] ? b : a)).type
  const current = published[0].manifest.version
  const [major, minor, patch] = current.split(".").map(Number)
  const expected =
    top === "major"
      ? `${major + 1}.0.0`
      : top === "minor"
        ? `${major}.${minor + 1}.0`
        : `${major}.${minor}.${patch + 1}`
  console.log(`largest bump: ${top}; expected version of every published package: ${current} -> ${expected}`)

  // a temp copy: root manifest, workspace file, changesets, each package's manifest and changelog
  const work = mkdtempSync(join(tmpdir(), "kenar-changeset-"))
  try {
    for (const file of ["package.json", "pnpm-workspace.yaml"]) cpSync(join(root, file), join(work, file))
    cpSync(changesetDir, join(work, ".changeset"), { recursive: true })
    for (const { dir } of workspace) {
      mkdirSync(join(work, dir), { recursive: true })
      for (const file of ["package.json", "CHANGELOG.md"]) {
        if (existsSync(join(root, dir, file))) cpSync(join(root, dir, file), join(work, dir, file))
      }
    }
    // the changelog generator is resolved from the project: borrow the workspace's node_modules
    symlinkSync(join(root, "node_modules"), join(work, "node_modules"), "dir")
    const changeset = join(root, "node_modules", "@changesets", "cli", "bin.js")
    console.log(`\nchangeset version (in ${work})`)
    const out = execFileSync(process.execPath, [changeset, "version"], {
      cwd: work,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }
    })
    if (out.trim()) console.log(out.trim().replace(/^/gm, "  | "))

    console.log("\nafter `changeset version`")
    for (const { dir, manifest } of published) {
      const after = readJson(join(work, dir, "package.json"))
      assert(after.version === expected, `${manifest.name}: ${manifest.version} -> ${after.version}`)
      const changelogPath = join(work, dir, "CHANGELOG.md")
      const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, "utf8") : ""
      assert(changelog.includes(`## ${expected}`), `${manifest.name}: CHANGELOG.md has "## ${expected}"`)
      const own = changesets.filter(({ releases }) => releases.some(({ name }) => name === manifest.name))
      const missing = own.filter(({ summary }) => !changelog.includes(summary.split("\n")[0]))
      assert(
        missing.length === 0,
        `${manifest.name}: CHANGELOG.md has all ${own.length} of its changesets${missing.length ? ` (missing ${missing.map((c) => c.file)})` : ""}`
      )
      const internal = Object.entries({ ...after.dependencies, ...after.peerDependencies }).filter(([name]) =>
        workspace.some(({ manifest: m }) => m.name === name)
      )
      const rewritten = internal.filter(([, spec]) => !String(spec).startsWith("workspace:"))
      assert(
        rewritten.length === 0,
        `${manifest.name}: internal dependencies stay workspace:* (${internal.map(([name]) => name).join(", ") || "none"})`
      )
    }
    for (const { dir, manifest } of privates) {
      const after = readJson(join(work, dir, "package.json"))
      assert(
        after.version === manifest.version,
        `${manifest.name} (private): version stays ${manifest.version}`
      )
      assert(
        existsSync(join(work, dir, "CHANGELOG.md")) === existsSync(join(root, dir, "CHANGELOG.md")),
        `${manifest.name} (private): no CHANGELOG.md written`
      )
    }
    const left = readdirSync(join(work, ".changeset")).filter(
      (file) => file.endsWith(".md") && file !== "README.md"
    )
    assert(
      left.length === 0,
      `all ${changesets.length} changesets consumed${left.length ? ` (left: ${left})` : ""}`
    )
    const rootAfter = readJson(join(work, "package.json"))
    assert(rootAfter.version === readJson(join(root, "package.json")).version, "root package.json unchanged")
    // show one changelog, shortened
    const sample = join(work, published[0].dir, "CHANGELOG.md")
    if (existsSync(sample)) {
      console.log(`\n${relative(work, sample)} (first lines):`)
      console.log(
        readFileSync(sample, "utf8")
          .split("\n")
          .slice(0, 8)
          .map((line) => `  | ${line.length > 100 ? `${line.slice(0, 100)}…` : line}`)
          .join("\n")
      )
    }
  } catch (error) {
    failures.push(String(error.message ?? error))
    console.log(`  FAIL ${error.message ?? error}`)
    if (error.stderr) console.log(String(error.stderr).replace(/^/gm, "  | "))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
console.log(
  `\nchangeset:check: ${failures.length === 0 ? "all assertions hold" : `${failures.length} FAILED`} (${seconds(Date.now() - started)})`
)
process.exitCode = failures.length > 0 ? 1 : 0
