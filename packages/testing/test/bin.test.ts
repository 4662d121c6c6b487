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

  it("prints the demo OAuth client and, with --auto-approve, completes the flow without a page", async () => {
    const cli = startCli(["--auto-approve"])
    try {
      const banner = await cli.banner
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1]
      expect(banner).toContain(`Authorize:                 ${url}/oauth2/auth`)
      expect(banner).toContain(`Token:                     ${url}/oauth2/token`)
      expect(banner).toContain("Consent:                   auto-approved as demo-user")
      const clientId = cli.field(banner, "Client id")
      const clientSecret = cli.field(banner, "Client secret")
      const redirectUri = cli.field(banner, "Redirect URI")
      expect([clientId, redirectUri]).toEqual(["kenar-demo", "http://127.0.0.1:5173/oauth/callback"])
      expect(clientSecret).toMatch(/^sim_cs_/)
      const query = new URLSearchParams({
        response_type: "code",
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: "USER_POSTS_GET offline_access",
        state: "cli-state-123"
      })
      const authorized = await fetch(`${url}/oauth2/auth?${query}`, { redirect: "manual" })
      expect(authorized.status).toBe(302)
      const code = new URL(authorized.headers.get("location")!).searchParams.get("code")!
      const token = await fetch(`${url}/oauth2/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          client_id: clientId,
          client_secret: clientSecret
        })
      })
      expect(token.status).toBe(200)
      expect((await token.json()).refresh_token).toMatch(/^sim_rt_/)
    } finally {
      cli.child.kill("SIGTERM")
    }
    expect(await cli.exited).toBe(0)
  })

  it("rejects a bad flag value", async () => {
    const cli = startCli(["--rate-limit", "lots"])
    expect(await cli.exited).toBe(1)
    expect(cli.output()).toContain("--rate-limit must be a non-negative integer")
  })
})
