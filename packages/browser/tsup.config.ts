import { defineConfig } from "tsup"
import { entriesOf, packageBuild } from "../../tsup.shared.js"

/** Every public module, also exported by path (`@kenar/browser/BrowserKenarClient`): keep in line with `exports`. */
export const modules = ["BrowserKenarClient", "BrowserOAuth", "BrowserUploads"]

export default defineConfig(packageBuild(entriesOf(modules), { cjs: "namespaces" }))
