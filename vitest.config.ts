import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@kenar/source"] },
  ssr: { resolve: { conditions: ["@kenar/source"] } },
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "packages/*/test/**/*.test.tsx",
      "apps/*/test/**/*.test.ts",
      "examples/**/*.test.ts"
    ],
    testTimeout: 30_000,
    typecheck: {
      enabled: true,
      include: ["packages/*/test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.test.json"
    }
  }
})
