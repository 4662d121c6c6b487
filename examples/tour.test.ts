import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Posts } from "@kenar/core"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL(".", import.meta.url))

it("`pnpm tour` runs all 14 operations against the simulator", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--conditions=@kenar/source", "tour.ts", "--once"],
    { cwd: root, timeout: 60_000 }
  )
  for (const name of Object.keys(Posts.all)) expect(stdout).toContain(`. ${name}`)
  expect(stdout).toContain("All 14 Post operations ran against the simulator")
  expect(stdout).toContain("NotFoundError")
}, 90_000)
