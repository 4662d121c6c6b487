import { defineConfig } from "tsup"
import { entriesOf, packageBuild } from "../../tsup.shared.js"

/** Every public module, also exported by path (`@kenar/core/Posts`): keep in line with `exports`. */
export const modules = [
  "KenarAuth",
  "KenarClient",
  "KenarConfig",
  "KenarDecoding",
  "KenarError",
  "KenarPromiseClient",
  "KenarRateLimit",
  "KenarTracing",
  "KenarTransport",
  "OAuth",
  "OAuthScope",
  "Operation",
  "PostEdit",
  "PostSchema",
  "Posts",
  "RetryPolicy",
  "Uploads"
]

export default defineConfig(packageBuild(entriesOf(modules), { cjs: "namespaces" }))
