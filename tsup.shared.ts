/**
 * The build of the packages that reach browsers (`@kenar/core`,
 * `@kenar/browser`, `@kenar/react`):
 *
 * - ESM: one file per source module (`dist/Posts.js`, `dist/internal/executor.js`,
 *   ...) with the imports between them kept, so a bundler sees the real module
 *   graph and drops the modules, and the members of a namespace imported by
 *   path (`import * as Posts from "@kenar/core/Posts"`), that a program does
 *   not use. (One bundle per package ties every namespace's members together:
 *   one operation then costs as much as all 14.)
 * - CommonJS (not tree-shaken anyway): one bundle per package, `dist/index.cjs`;
 *   a module exported by path is its namespace in that bundle
 *   (`dist/Posts.cjs`: `module.exports = require("./index.cjs").Posts`), so
 *   there is one copy of every module (one class per error, per service tag).
 * - Types: one `.d.ts` and one `.d.cts` per public entry, sharing chunks (one
 *   declaration of every type).
 */
import { readFileSync, writeFileSync } from "node:fs"
import type { Plugin } from "esbuild"
import type { Options } from "tsup"

/** Leaves the package's own relative `.js` imports as imports: each source module is its own entry. */
const keepRelativeImports: Plugin = {
  name: "kenar-keep-relative-imports",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) =>
      args.kind === "entry-point" ? undefined : { path: args.path, external: true }
    )
  }
}

/**
 * `import packageJson from "../package.json"` (`KenarConfig.VERSION`) inlines
 * the version only, not the whole manifest.
 */
const packageVersionOnly: Plugin = {
  name: "kenar-package-version-only",
  setup(build) {
    build.onLoad({ filter: /[\\/]package\.json$/ }, (args) => {
      const { version } = JSON.parse(readFileSync(args.path, "utf8")) as { version: string }
      return { contents: JSON.stringify({ version }), loader: "json" }
    })
  }
}

/**
 * The public entries of a package: `index` and each of `modules` (`src/<Module>.ts`,
 * exported by `index` as a namespace of the same name), which the package
 * exports by path as well (`@kenar/core/Posts`).
 */
export const entriesOf = (modules: ReadonlyArray<string>): Record<string, string> => ({
  index: "src/index.ts",
  ...Object.fromEntries(modules.map((module) => [module, `src/${module}.ts`]))
})

/**
 * The tsup configurations of a package whose public entries are `entries`
 * (`{ index: "src/index.ts", ... }`). `cjs`: `"namespaces"` when every entry
 * but `index` is a namespace that `index` exports (see above); `"bundles"`
 * for one CommonJS bundle per entry.
 */
export const packageBuild = (
  entries: Record<string, string>,
  options: { readonly cjs: "namespaces" | "bundles"; readonly shared?: Options }
): Array<Options> => {
  const shared: Options = {
    ...options.shared,
    sourcemap: true,
    target: "es2022",
    esbuildPlugins: [packageVersionOnly]
  }
  const namespaces = Object.keys(entries).filter((name) => name !== "index")
  return [
    {
      ...shared,
      entry: ["src/**/*.ts"],
      format: ["esm"],
      splitting: false,
      esbuildPlugins: [keepRelativeImports, packageVersionOnly],
      dts: { entry: entries },
      clean: true
    },
    options.cjs === "bundles"
      ? { ...shared, entry: entries, format: ["cjs"], dts: true, clean: false }
      : {
          ...shared,
          entry: { index: entries.index! },
          format: ["cjs"],
          dts: { entry: entries },
          clean: false,
          onSuccess: async () => {
            for (const name of namespaces) {
              writeFileSync(
                `dist/${name}.cjs`,
                `"use strict";\n// the ${name} namespace of this package's one CommonJS bundle\nmodule.exports = require("./index.cjs").${name};\n`
              )
            }
          }
        }
  ]
}
