import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const tsx = createRequire(import.meta.url).resolve("tsx/cli")

/** Starts the CLI and waits for its banner. */
const startCli = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [tsx, "--conditions=@kenar/source", "src/bin.ts", ...args], {
    cwd: packageDir,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout.setEncoding("utf8")
  child.stderr.setEncoding("utf8")
  child.stderr.on("data", (chunk: string) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const banner = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: string) => {
      output += chunk
      if (output.includes("Ctrl+C to stop.")) resolve(output)
    })
    child.once("exit", () => reject(new Error(`the CLI exited early:\n${output}`)))
  })
  // a test that expects an early exit never awaits the banner
  banner.catch(() => undefined)
  const field = (text: string, label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(text)?.[1] ?? ""
  return { child, exited, banner, field, output: () => output }
}

describe("kenar-simulator CLI", () => {
  it("serves seeded demo data, applies --fault, and stops on SIGTERM", async () => {
    const cli = startCli(["--port", "0", "--rate-limit", "100", "--fault", "html:times=1"])
    try {
      const banner = await cli.banner
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1]
      expect(url).toBeDefined()
      const apiKey = cli.field(banner, "API key \\(x-api-key\\)")
      const token = cli.field(banner, "Access token \\(Bearer\\)")
      const published = /^\s+(\S+)\s+POST_STATE_PUBLISHED\s/m.exec(banner)?.[1]
      expect(banner).toContain("Rate limit: 100 per minute")

      const first = await fetch(`${url}/v2/open-platform/post/upload-urls`, {
        headers: { "x-api-key": apiKey }
      })
      expect(first.status).toBe(502)
      await first.text()
      const headers = { "x-api-key": apiKey, authorization: `Bearer ${token}` }
      const post = await fetch(`${url}/v1/open-platform/user-post/${published}`, { headers })
      expect(post.status).toBe(200)
      expect((await post.json()).general_data.title).toMatch(/[آ-ی]/)
      const edit = await fetch(`${url}/v1/open-platform/post/${published}`, {
        method: "PUT",
        headers,
        body: JSON.stringify({ title: "عنوان تازه", description: "resource scopes are granted" })
      })
      expect(edit.status).toBe(200)
    } finally {
      cli.child.kill("SIGTERM")
    }
    expect(await cli.exited).toBe(0)
    expect(cli.output()).toContain("SIGTERM: stopping")
  })

  it("rejects a bad flag value", async () => {
    const cli = startCli(["--rate-limit", "lots"])
    expect(await cli.exited).toBe(1)
    expect(cli.output()).toContain("--rate-limit must be a non-negative integer")
  })
})
