// Helpers shared by the packaging scripts: the published packages of the
// workspace, and packing them the way `pnpm publish` would.
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const root = resolve(fileURLToPath(new URL("../..", import.meta.url)))

/** Every non-private package under packages/: `{ name, version, dir, manifest }`, by name. */
export const publishedPackages = () =>
  readdirSync(join(root, "packages"))
    .map((entry) => join(root, "packages", entry))
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, version: manifest.version, dir, manifest }))
    .sort((a, b) => a.name.localeCompare(b.name))

/** Fails with a clear message when a package has not been built. */
export const assertBuilt = (pkgs) => {
  const missing = pkgs.filter((pkg) => !existsSync(join(pkg.dir, "dist")))
  if (missing.length > 0) {
    throw new Error(`not built: ${missing.map((pkg) => pkg.name).join(", ")} (run \`pnpm build\` first)`)
  }
}

/**
 * Packs one package with `pnpm pack` (which rewrites `workspace:*` to real
 * versions, as `pnpm publish` does) into `destination`; returns the tarball's
 * path and its file list.
 */
export const pack = (pkg, destination) => {
  const out = execFileSync("pnpm", ["pack", "--pack-destination", destination, "--json"], {
    cwd: pkg.dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
  const json = JSON.parse(out.slice(out.indexOf("{")))
  return { tarball: json.filename, files: json.files.map((file) => file.path) }
}

/** Reads a file out of a tarball (`package/<path>`). */
export const readFromTarball = (tarball, path) =>
  execFileSync("tar", ["-xzOf", tarball, `package/${path}`], { encoding: "utf8" })

/** Formats milliseconds as seconds with one decimal. */
export const seconds = (millis) => `${(millis / 1000).toFixed(1)}s`
