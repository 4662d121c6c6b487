// `pnpm docs`: the API reference of every published package, from its JSDoc,
// into docs/api (gitignored). Any TypeDoc warning fails the build.
/** @type {Partial<import("typedoc").TypeDocOptions>} */
const config = {
  name: "kenar-ts",
  entryPointStrategy: "packages",
  entryPoints: ["packages/core", "packages/node", "packages/browser", "packages/react", "packages/testing"],
  packageOptions: {
    // @kenar/react's index re-exports its `./server` entry, so one entry point per package covers all
    entryPoints: ["src/index.ts"],
    tsconfig: "tsconfig.json",
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true
  },
  // per-package intentionallyNotExported lists (and the known gaps)
  plugin: ["./scripts/typedoc-plugin.mjs"],
  readme: "README.md",
  out: "docs/api",
  disableSources: true,
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false }
}

export default config
