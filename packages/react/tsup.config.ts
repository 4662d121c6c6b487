import { defineConfig } from "tsup"
import { packageBuild } from "../../tsup.shared.js"

/**
 * Two public entries: `@kenar/react` (hooks and provider) starts with the
 * `'use client'` directive of `src/index.ts`, which esbuild keeps for an
 * entry point (in the ESM build every module is one, and keeps its own);
 * `@kenar/react/server` (keys, factories, hydration helpers) has none, so
 * server components can call it. No `treeshake`: that Rollup pass drops the
 * directive (esbuild already drops unused code).
 */
export default defineConfig(
  packageBuild(
    { index: "src/index.ts", server: "src/server.ts" },
    {
      cjs: "bundles",
      shared: { external: ["react", "react-dom", "@tanstack/react-query", "effect", /^@kenar\/core(\/.*)?$/] }
    }
  )
)
