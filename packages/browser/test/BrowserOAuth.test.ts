/**
 * The OAuth redirect helpers in real Chromium: reading and cleaning the
 * callback outcome, and a whole sign-in through the proxy's OAuth routes and
 * the simulator's authorization server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as BrowserOAuth from "../src/BrowserOAuth.js"
import { type Harness, startHarness } from "./utils/harness.js"

let harness: Harness

beforeAll(async () => {
  harness = await startHarness()
}, 60_000)

afterAll(async () => {
  await harness?.close()
})

describe("BrowserOAuth in Chromium", () => {
  it("reads a failed sign-in from the callback URL and cleans the address bar", async () => {
    const tab = await harness.open(
      "/account?tab=posts&kenar_login=error&kenar_error=access_denied&kenar_error_description=The%20user%20said%20no#list"
    )
    const result = await tab.evaluate(() => {
      const { BrowserOAuth } = window.kenar
      const entries = history.length
      const first = BrowserOAuth.readLoginResult()
      const second = BrowserOAuth.readLoginResult()
      return {
        first:
          first === undefined
            ? undefined
            : first._tag === "LoginError"
              ? {
                  tag: first._tag,
                  error: first.error,
                  errorDescription: first.errorDescription,
                  message: first.message,
                  isError: first instanceof Error
                }
              : { tag: first._tag },
        second: second === undefined ? "none" : second._tag,
        href: location.href,
        addedHistory: history.length - entries
      }
    })
    expect(result).toEqual({
      first: {
        tag: "LoginError",
        error: "access_denied",
        errorDescription: "The user said no",
        message: "The sign-in failed: access_denied (The user said no)",
        isError: true
      },
      second: "none",
      href: `${harness.origin}/account?tab=posts#list`,
      addedHistory: 0
    })
    await tab.context().close()
  })

  it("builds the start URL from the current page", async () => {
    const tab = await harness.open("/posts/mine?page=2&kenar_login=success")
    const url = await tab.evaluate(() =>
      window.kenar.BrowserOAuth.loginUrl({ scopes: ["USER_POSTS_GET", "USER_POSTS_STATS_READ"] })
    )
    const parsed = new URL(url)
    expect(parsed.origin + parsed.pathname).toBe(`${harness.origin}/api/kenar/oauth/start`)
    expect(parsed.searchParams.get("return_to")).toBe("/posts/mine?page=2")
    expect(parsed.searchParams.get("scope")).toBe("USER_POSTS_GET USER_POSTS_STATS_READ")
    const refused = await tab.evaluate(() => {
      try {
        window.kenar.BrowserOAuth.loginUrl({ returnTo: "https://evil.example/" })
        return "built"
      } catch (error) {
        return (error as Error).name
      }
    })
    expect(refused).toBe("TypeError")
    await tab.context().close()
  })

  it("signs in through the proxy's OAuth routes, then calls Kenar as the user", async () => {
    const { sim, demo } = harness
    const tab = await harness.open("/dashboard?tab=1")
    const tokensBefore = sim.oauth.stats().token.authorization_code
    await Promise.all([
      tab.waitForURL(/kenar_login=/, { timeout: 15_000 }),
      tab.evaluate(() =>
        window.kenar.BrowserOAuth.startLogin({
          path: "/oauth-app/kenar/oauth/start",
          scopes: ["USER_POSTS_GET"]
        })
      )
    ])
    await tab.waitForFunction(() => window.kenar !== undefined)
    expect(new URL(tab.url()).pathname).toBe("/dashboard")
    expect(new URL(tab.url()).searchParams.get("kenar_login")).toBe("success")
    sim.clearRequests()
    const after = await tab.evaluate(async (post) => {
      const { BrowserKenarClient, BrowserOAuth } = window.kenar
      const result = BrowserOAuth.readLoginResult()
      const kenar = BrowserKenarClient.makePromise({ baseUrl: "/oauth-app/kenar" })
      try {
        const read = await kenar.getUserPost({ token: post })
        const stats = await kenar.getPostStats({ post_token: post }).then(
          () => "ok",
          (error: { _tag: string }) => error._tag
        )
        return { result: result?._tag, href: location.href, title: read.general_data.title, stats }
      } finally {
        await kenar.dispose()
      }
    }, demo.posts[0]!)
    expect(after).toEqual({
      result: "LoginSuccess",
      href: `${harness.origin}/dashboard?tab=1`,
      title: sim.post(demo.posts[0]!)!.general_data.title,
      // only USER_POSTS_GET was asked for: Kenar refuses the stats
      stats: "PermissionDeniedError"
    })
    expect(sim.oauth.stats().token.authorization_code).toBe(tokensBefore + 1)
    expect(sim.requests().map((entry) => [entry.operation, entry.status, entry.accessToken])).toEqual([
      ["getUserPost", 200, true],
      ["getPostStats", 403, true]
    ])
    // the client secret never reached the browser
    const secretSeen = harness.seen.some((request) =>
      JSON.stringify(request).includes("browser-app-secret-0042")
    )
    expect(secretSeen).toBe(false)
    await tab.context().close()
  })

  it("comes back with the OAuth error when the user refuses", async () => {
    const { sim } = harness
    sim.oauth.autoApprove = false
    try {
      const tab = await harness.open("/settings")
      await Promise.all([
        tab.waitForURL(/oauth2\/auth/),
        tab.evaluate(() => window.kenar.BrowserOAuth.startLogin({ path: "/oauth-app/kenar/oauth/start" }))
      ])
      // the simulator's consent page: press "deny"
      await Promise.all([tab.waitForURL(/kenar_login=/), tab.locator("button[value=deny]").click()])
      await tab.waitForFunction(() => window.kenar !== undefined)
      const result = await tab.evaluate(() => {
        const result = window.kenar.BrowserOAuth.readLoginResult()
        return result?._tag === "LoginError"
          ? { error: result.error, path: location.pathname + location.search }
          : result
      })
      expect(result).toEqual({ error: "access_denied", path: "/settings" })
      await tab.context().close()
    } finally {
      sim.oauth.autoApprove = true
    }
  })
})

describe("BrowserOAuth without a page (Node)", () => {
  it("reads a result from a given location and cleans it through the given history", () => {
    const replaced: Array<string> = []
    const location = new URL("https://app.example/x?kenar_login=success&keep=1")
    const result = BrowserOAuth.readLoginResult(location as unknown as Location, {
      history: { state: null, replaceState: (_state, _unused, url) => replaced.push(String(url)) }
    })
    expect(result).toEqual({ _tag: "LoginSuccess" })
    expect(replaced).toEqual(["/x?keep=1"])
    expect(
      BrowserOAuth.readLoginResult(new URL("https://app.example/") as unknown as Location)
    ).toBeUndefined()
  })
})
