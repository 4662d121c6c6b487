import { defineConfig, type Options } from "tsup"

const shared: Options = {
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  target: "es2022",
  external: ["react", "react-dom", "@tanstack/react-query", "effect", "@kenar/core"]
}

/**
 * Two entries: `@kenar/react` (hooks and provider) starts with the
 * `'use client'` directive of `src/index.ts`, which esbuild keeps for an
 * entry point; `@kenar/react/server` (keys, factories, hydration helpers)
 * has none, so server components can call it. No `treeshake`: that Rollup
 * pass drops the directive (esbuild already drops unused code).
 */
export default defineConfig([
  { ...shared, entry: { index: "src/index.ts" }, clean: true },
  { ...shared, entry: { server: "src/server.ts" }, clean: false }
])
