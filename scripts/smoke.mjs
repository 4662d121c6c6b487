// `pnpm smoke`: the published packages, used the way a user would use them.
// Packs every package (`pnpm pack`, after `pnpm build`), installs all the
// tarballs together into fresh projects under the OS temp dir (outside the
// workspace) with npm, third-party packages from the registry, and runs the
// consumers of test-consumers/:
//   node project:        ESM consumer (real calls against the simulator of the
//                        @kenar/testing tarball on 127.0.0.1), CJS consumer
//                        (require), tsc with moduleResolution node16 and bundler
//   vite-react project:  tsc, then `vite build` of a React app on @kenar/react +
//                        @kenar/browser
// Third-party versions are the ones the workspace tests against. Prints what
// it checked and a summary; exits non-zero on any failure. Temp dirs are
// removed (`pnpm smoke --keep` keeps them, for debugging).
import { spawn } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { assertBuilt, pack, publishedPackages, root, seconds } from "./lib/workspace.mjs"

const started = Date.now()
const pkgs = publishedPackages()
assertBuilt(pkgs)
const manifestOf = (dir) => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"))
const pinned = {
  ...manifestOf(".").devDependencies,
  ...manifestOf("packages/react").devDependencies,
  ...manifestOf("apps/playground").devDependencies,
  ...manifestOf("apps/playground").dependencies
}
const version = (name) => {
  const spec = pinned[name]
  if (spec === undefined || spec.startsWith("workspace:")) throw new Error(`no pinned version for ${name}`)
  return spec
}
const thirdParty = (...names) => Object.fromEntries(names.map((name) => [name, version(name)]))

const work = mkdtempSync(join(tmpdir(), "kenar-smoke-"))
const results = []

/** Runs a command; resolves with its output, rejects (with the output) on a non-zero exit or a timeout. */
const exec = (command, args, cwd, timeoutMs = 120_000) =>
  new Promise((resolve, reject) => {
    const { FORCE_COLOR: _, ...env } = process.env
    const child = spawn(command, args, {
      cwd,
      env: { ...env, NO_COLOR: "1", npm_config_update_notifier: "false" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    const collect = (chunk) => {
      output += chunk
    }
    child.stdout.on("data", collect)
    child.stderr.on("data", collect)
    const timer = setTimeout(() => {
      output += `\n(timed out after ${seconds(timeoutMs)})`
      child.kill("SIGKILL")
    }, timeoutMs)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(Object.assign(error, { output }))
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(output)
      else reject(Object.assign(new Error(`${command} ${args.join(" ")} exited with ${code}`), { output }))
    })
  })

/** One named check: prints its output, records pass/fail and time. */
const check = async (name, run) => {
  const start = Date.now()
  try {
    const output = await run()
    const ms = Date.now() - start
    results.push({ name, ok: true, ms })
    console.log(`\n✓ ${name} (${seconds(ms)})`)
    if (output?.trim()) console.log(indent(output))
    return true
  } catch (error) {
    const ms = Date.now() - start
    results.push({ name, ok: false, ms })
    console.log(`\n✗ ${name} (${seconds(ms)})`)
    console.log(indent(`${error.output ?? ""}\n${error.message}`))
    return false
  }
}
const indent = (text) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")

/** A fresh npm project: the fixture's files, every @kenar tarball and the given third-party packages. */
const project = (name, tarballs, dependencies, devDependencies) => {
  const dir = join(work, name)
  cpSync(join(root, "test-consumers", name), dir, { recursive: true })
  const kenar = Object.fromEntries(tarballs.map(({ pkg, tarball }) => [pkg.name, `file:${tarball}`]))
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify(
      {
        name: `kenar-smoke-${name}`,
        private: true,
        type: "module",
        dependencies: { ...kenar, ...dependencies },
        devDependencies,
        // @kenar/node etc. depend on @kenar/core by version: make them take the tarball, never the registry
        overrides: Object.fromEntries(tarballs.map(({ pkg }) => [pkg.name, `$${pkg.name}`]))
      },
      null,
      2
    )}\n`
  )
  return dir
}

/** After `npm install`: every @kenar package is the tarball's, installed once, at the top level. */
const assertInstalledFromTarballs = (dir, tarballs) => {
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"))
  const lines = []
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const match = /(?:^|\/)node_modules\/(@kenar\/[^/]+)$/.exec(path)
    if (match === null) continue
    if (path !== `node_modules/${match[1]}`) throw new Error(`${match[1]} installed twice: ${path}`)
    const expected = tarballs.find(({ pkg }) => pkg.name === match[1])
    if (expected === undefined) throw new Error(`unexpected package ${match[1]}`)
    if (!String(entry.resolved).endsWith(expected.tarball.split("/").pop())) {
      throw new Error(`${match[1]} came from ${entry.resolved}, not the tarball`)
    }
    lines.push(`${match[1]}@${entry.version} <- ${entry.resolved.split("/").pop()}`)
  }
  if (lines.length !== tarballs.length)
    throw new Error(`expected ${tarballs.length} @kenar packages, got ${lines.length}`)
  return lines.join("\n")
}

const npmInstall = (dir) =>
  exec("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], dir, 300_000)

let interrupted = false
const cleanUp = () => {
  if (process.argv.includes("--keep")) console.log(`\n(kept ${work})`)
  else rmSync(work, { recursive: true, force: true })
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    cleanUp()
    process.exit(130)
  })
}

try {
  console.log(`smoke: ${pkgs.map((pkg) => `${pkg.name}@${pkg.version}`).join(", ")}; node ${process.version}`)
  console.log(`smoke: working in ${work}`)
  const tarballDir = join(work, "tarballs")
  let tarballs = []
  await check("pack every package (pnpm pack)", async () => {
    tarballs = pkgs.map((pkg) => ({ pkg, ...pack(pkg, tarballDir) }))
    return tarballs
      .map(({ pkg, tarball, files }) => `${pkg.name}: ${tarball.split("/").pop()} (${files.length} files)`)
      .join("\n")
  })
  if (tarballs.length !== pkgs.length) throw new Error("packing failed")

  const nodeDir = project("node", tarballs, thirdParty("effect"), thirdParty("typescript", "@types/node"))
  const viteDir = project(
    "vite-react",
    tarballs,
    thirdParty("effect", "react", "react-dom", "@tanstack/react-query"),
    thirdParty("vite", "@vitejs/plugin-react", "typescript", "@types/react", "@types/react-dom")
  )

  // the two installs run side by side (mostly network and disk)
  const [nodeInstalled, viteInstalled] = await Promise.all([
    check("node project: npm install (tarballs + effect, typescript)", async () => {
      await npmInstall(nodeDir)
      return assertInstalledFromTarballs(nodeDir, tarballs)
    }),
    check(
      "vite-react project: npm install (tarballs + effect, react, @tanstack/react-query, vite)",
      async () => {
        await npmInstall(viteDir)
        return assertInstalledFromTarballs(viteDir, tarballs)
      }
    )
  ])

  const tsc = (dir, config, note) => async () => {
    await exec(process.execPath, [join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", config], dir)
    return `tsc -p ${config}: no errors (${note})`
  }
  // two lanes side by side (2 cores): the node project's checks, the vite-react project's
  await Promise.all([
    (async () => {
      if (!nodeInstalled) return
      await check("ESM consumer (import, real calls to the simulator on 127.0.0.1)", () =>
        exec(process.execPath, ["esm.mjs"], nodeDir, 60_000)
      )
      await check("CJS consumer (require, real call to the simulator)", () =>
        exec(process.execPath, ["cjs.cjs"], nodeDir, 60_000)
      )
      await check(
        "TypeScript consumer, moduleResolution node16 (types.ts)",
        tsc(nodeDir, "tsconfig.node16.json", "strict, skipLibCheck false")
      )
      await check(
        "TypeScript consumer, moduleResolution bundler (types.ts)",
        tsc(nodeDir, "tsconfig.bundler.json", "strict, exactOptionalPropertyTypes, skipLibCheck false")
      )
      await check(
        "TypeScript CommonJS consumer, module nodenext (types-cjs.cts)",
        tsc(nodeDir, "tsconfig.cjs.json", "strict, skipLibCheck false; index.d.cts files")
      )
    })(),
    (async () => {
      if (!viteInstalled) return
      await check(
        "Vite React consumer: tsc (bundler, react-jsx)",
        tsc(viteDir, "tsconfig.json", "strict, skipLibCheck false")
      )
      await check("Vite React consumer: vite build", async () => {
        const vite = join(viteDir, "node_modules", "vite", "bin", "vite.js")
        const output = await exec(process.execPath, [vite, "build"], viteDir)
        const assets = join(viteDir, "dist", "assets")
        const js = existsSync(assets) ? readdirSync(assets).filter((file) => file.endsWith(".js")) : []
        if (!existsSync(join(viteDir, "dist", "index.html")) || js.length === 0) {
          throw new Error("vite build wrote no dist/index.html or no JS")
        }
        const sizes = js.map((file) => {
          const bytes = readFileSync(join(assets, file))
          return `${file}: ${(bytes.length / 1024).toFixed(1)} KB, ${(gzipSync(bytes).length / 1024).toFixed(1)} KB gzip (react, react-dom, TanStack Query, effect, @kenar/*)`
        })
        const viteVersion = JSON.parse(
          readFileSync(join(viteDir, "node_modules", "vite", "package.json"), "utf8")
        ).version
        return [`vite ${viteVersion} with @vitejs/plugin-react`, output.trim(), ...sizes]
          .filter(Boolean)
          .join("\n")
      })
    })()
  ])
} catch (error) {
  results.push({ name: String(error.message ?? error), ok: false, ms: 0 })
  console.log(`\n✗ ${error.message ?? error}`)
} finally {
  cleanUp()
}

const failed = results.filter((result) => !result.ok)
console.log("\nsmoke summary")
for (const result of results)
  console.log(`  ${result.ok ? "ok  " : "FAIL"} ${seconds(result.ms).padStart(6)}  ${result.name}`)
console.log(
  `smoke: ${results.length - failed.length} of ${results.length} checks ok${failed.length > 0 ? `, ${failed.length} FAILED` : ""} (${seconds(Date.now() - started)})`
)
process.exitCode = failed.length > 0 ? 1 : 0
