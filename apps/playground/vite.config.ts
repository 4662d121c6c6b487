/**
 * Vite settings of the playground. `server.ts` serves the app with them in
 * middleware mode, behind one node:http server with the Kenar proxy.
 */
import react from "@vitejs/plugin-react"
import { defaultClientConditions, defineConfig } from "vite"

export default defineConfig({
  plugins: [react()],
  // workspace packages from source (their `@kenar/source` export condition): no build needed
  resolve: { conditions: ["@kenar/source", ...defaultClientConditions] },
  optimizeDeps: {
    // pre-bundled when the server starts, so no page reload for a late discovery
    include: [
      "react",
      "react-dom/client",
      "react/jsx-runtime",
      "react/jsx-dev-runtime",
      "@tanstack/react-query"
    ]
  },
  logLevel: "warn"
})
