import { describe, expect, it } from "vitest"
import { paths, setup } from "./utils.js"

describe("rate limits (429, code 8)", () => {
  it("a per-minute limit per API key, on a sliding window of the injected clock", async () => {
    const h = await setup({ rateLimit: { perMinute: 3 } })
    const other = h.sim.addApp({ apiKey: "second-key" })
    for (let i = 0; i < 3; i++) {
      expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
      h.clock.advance(10_000)
    }
    const limited = await h.call("GET", paths.uploadUrls)
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBeNull()
    expect(limited.json).toEqual({
      code: 8,
      message: "rate limit exceeded: 3 requests per minute",
      details: []
    })
    // another app has its own budget
    expect((await h.call("GET", paths.uploadUrls, { apiKey: other })).status).toBe(200)
    // the first call leaves the window 60 s after it was made
    h.clock.advance(30_000)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(429)
  })

  it("a daily quota per API key, per UTC day", async () => {
    const h = await setup({ rateLimit: { perMinute: 0, perDay: 5 } })
    for (let i = 0; i < 5; i++) expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    const limited = await h.call("GET", paths.uploadUrls)
    expect([limited.status, limited.json.code, limited.json.message]).toEqual([
      429,
      8,
      "daily quota exceeded: 5 requests per day"
    ])
    h.clock.advance(60 * 60 * 1000)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(429)
    // the test clock starts at 09:00 UTC: 15 more hours reach the next day
    h.clock.advance(14 * 60 * 60 * 1000)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
  })

  it("rejected calls do not count; limits can change at run time; 0 turns them off", async () => {
    const h = await setup({ rateLimit: { perMinute: 2 } })
    for (let i = 0; i < 5; i++) {
      expect((await h.call("GET", paths.uploadUrls, { apiKey: "bad" })).status).toBe(401)
    }
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(429)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(429)
    h.sim.limits.perMinute = 0
    for (let i = 0; i < 5; i++) expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
  })

  it("per-app limits override the defaults", async () => {
    const h = await setup({ rateLimit: { perMinute: 100 } })
    const tight = h.sim.addApp({ perMinute: 1 })
    expect((await h.call("GET", paths.uploadUrls, { apiKey: tight })).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls, { apiKey: tight })).status).toBe(429)
  })

  it("defaults to 600 requests per minute", async () => {
    const h = await setup()
    expect(h.sim.limits).toEqual({ perMinute: 600, perDay: 0 })
  })
})
