import { request as httpRequest } from "node:http"
import { describe, expect, it } from "vitest"
import * as KenarSimulator from "../src/KenarSimulator.js"
import * as SimulatorFault from "../src/SimulatorFault.js"
import { apiKey, categoryFields, generalData, type Harness, paths, setup } from "./utils.js"

const submitV2 = (h: Harness) =>
  fetch(`${h.server.url}${paths.submitV2}`, {
    method: "POST",
    headers: { "x-api-key": apiKey, "content-type": "application/json" },
    body: JSON.stringify({
      business_token: h.business,
      general_data: generalData(),
      category_fields: categoryFields
    })
  })

/** A raw HTTP exchange: what arrived before the connection ended, and how it ended. */
const raw = (h: Harness, path: string) =>
  new Promise<{
    status?: number
    headers?: Record<string, unknown>
    body: string
    error?: NodeJS.ErrnoException
  }>((resolve) => {
    const url = new URL(path, h.server.url)
    let body = ""
    const req = httpRequest(url, { headers: { "x-api-key": apiKey } }, (res) => {
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        body += chunk
      })
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      res.on("error", (error) => resolve({ status: res.statusCode!, headers: res.headers, body, error }))
    })
    req.on("error", (error) => resolve({ body, error }))
    req.end()
  })

describe("faults", () => {
  it("status: a google.rpc.Status error for the next N calls, without processing them", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "status", status: 503, times: 2 })
    for (let i = 0; i < 2; i++) {
      const response = await submitV2(h)
      expect(response.status).toBe(503)
      expect(response.headers.get("content-type")).toBe("application/json")
      expect(await response.json()).toEqual({ code: 14, message: "simulated fault: HTTP 503", details: [] })
    }
    expect(h.sim.posts()).toEqual([])
    expect((await submitV2(h)).status).toBe(200)
    expect(h.sim.posts()).toHaveLength(1)
    expect(h.sim.faults.active()).toEqual([])
  })

  it("status: 429 with Retry-After, and 500 INTERNAL", async () => {
    const h = await setup()
    h.sim.faults.inject([
      {
        kind: "status",
        status: 429,
        retryAfter: 7,
        message: "rate limit exceeded: 600 requests per minute",
        times: 1
      },
      { kind: "status", status: 500, times: 1 }
    ])
    const limited = await h.call("GET", paths.uploadUrls)
    expect([limited.status, limited.headers.get("retry-after"), limited.json.code]).toEqual([429, "7", 8])
    const internal = await h.call("GET", paths.uploadUrls)
    expect([internal.status, internal.json.code]).toEqual([500, 13])
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
  })

  it("html: a proxy's 502 page", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "html", times: 1 })
    const answer = await h.call("GET", paths.uploadUrls)
    expect(answer.status).toBe(502)
    expect(answer.headers.get("content-type")).toBe("text/html")
    expect(answer.text).toContain("<title>502 Bad Gateway</title>")
  })

  it("reset-before: the connection drops and nothing changed", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "reset-before", times: 1 })
    await expect(submitV2(h)).rejects.toThrow()
    expect(h.sim.posts()).toEqual([])
    expect(h.sim.requests().at(-1)).toMatchObject({
      operation: "submitPostV2",
      status: undefined,
      fault: "reset-before"
    })
    expect((await submitV2(h)).status).toBe(200)
  })

  it("reset-after: the call is processed, then the connection drops without an answer", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "reset-after", operation: "submitPostV2", times: 1 })
    const failure = await submitV2(h).catch((error: Error) => error)
    expect(failure).toBeInstanceOf(Error)
    expect(h.sim.posts()).toHaveLength(1)
    expect(h.sim.requests().at(-1)).toMatchObject({ status: undefined, fault: "reset-after" })
  })

  it("reset: the client sees ECONNRESET", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "reset-before", times: 1 })
    const answer = await raw(h, paths.uploadUrls)
    expect(answer.status).toBeUndefined()
    expect(answer.error?.code).toBe("ECONNRESET")
  })

  it("truncated: Content-Length promises more than arrives, then the connection closes", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "truncated", times: 1 })
    const answer = await raw(h, paths.uploadUrls)
    expect(answer.status).toBe(200)
    const declared = Number(answer.headers!["content-length"])
    expect(Buffer.byteLength(answer.body)).toBeLessThan(declared)
    expect(answer.body.length).toBeGreaterThan(0)
    expect(answer.error?.code).toBe("ECONNRESET")
    // through fetch: the body cannot be read, the call was processed
    h.sim.faults.inject({ kind: "truncated", times: 1 })
    const response = await submitV2(h)
    expect(response.status).toBe(200)
    await expect(response.json()).rejects.toThrow()
    expect(h.sim.posts()).toHaveLength(1)
  })

  it("invalid-json: 200 with a body that does not parse (after processing)", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "invalid-json", times: 1 })
    const response = await submitV2(h)
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("application/json")
    await expect(response.json()).rejects.toThrow(SyntaxError)
    expect(h.sim.posts()).toHaveLength(1)
  })

  it("latency: waits through the injected sleep, then answers normally", async () => {
    const waits: Array<number> = []
    const h = await setup({
      sleep: async (millis) => {
        waits.push(millis)
      }
    })
    h.sim.faults.inject([
      { kind: "latency", ms: 250, times: 2 },
      { kind: "latency", ms: 50, times: 1 }
    ])
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    expect(waits).toEqual([300, 250])
  })

  it("latency: the default sleep really waits", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "latency", ms: 80, times: 1 })
    const started = performance.now()
    await h.call("GET", paths.uploadUrls)
    expect(performance.now() - started).toBeGreaterThanOrEqual(75)
  })

  it("rate: a seeded fraction of calls, the same on every run", async () => {
    const pattern = async () => {
      const sim = KenarSimulator.make({ rateLimit: { perMinute: 0 } })
      const key = sim.addApp()
      sim.faults.inject({ kind: "status", status: 503, rate: 0.3, seed: 42 })
      const statuses: Array<number> = []
      for (let i = 0; i < 200; i++) {
        const response = await sim.handler(
          new Request("http://sim.test/v2/open-platform/post/upload-urls", { headers: { "x-api-key": key } })
        )
        statuses.push(response.status)
      }
      return statuses
    }
    const first = await pattern()
    expect(await pattern()).toEqual(first)
    const failed = first.filter((status) => status === 503).length
    expect(failed).toBeGreaterThan(40)
    expect(failed).toBeLessThan(80)
  })

  it("operation: only calls of that operation, by SDK name or operationId", async () => {
    const h = await setup()
    h.sim.faults.inject({ kind: "status", status: 503, operation: "Post_GetImageUploadURL" })
    h.sim.faults.inject({ kind: "html", operation: "getUploadUrls", times: 1 })
    expect((await h.call("GET", paths.imageUploadUrl)).status).toBe(503)
    expect((await h.call("GET", paths.imageUploadUrl)).status).toBe(503)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(502)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    h.sim.faults.clear()
    expect((await h.call("GET", paths.imageUploadUrl)).status).toBe(200)
  })

  it("stats count injected faults per kind", async () => {
    const h = await setup()
    h.sim.faults.inject([
      { kind: "latency", ms: 1, times: 2 },
      { kind: "html", times: 1 },
      { kind: "status", status: 503, times: 1 },
      { kind: "invalid-json", times: 1 }
    ])
    for (let i = 0; i < 4; i++) await h.call("GET", paths.uploadUrls)
    expect(h.sim.faults.stats()).toEqual({
      latency: 2,
      status: 1,
      html: 1,
      "reset-before": 0,
      "reset-after": 0,
      truncated: 0,
      "invalid-json": 1
    })
    h.sim.faults.resetStats()
    expect(h.sim.faults.stats().html).toBe(0)
  })

  it("rejects malformed faults", () => {
    const sim = KenarSimulator.make()
    expect(() => sim.faults.inject({ kind: "explode" } as never)).toThrow(/unknown fault kind "explode"/)
    expect(() => sim.faults.inject({ kind: "status" } as never)).toThrow(/needs 'status'/)
    expect(() => sim.faults.inject({ kind: "html", rate: 2 })).toThrow(/between 0 and 1/)
    expect(() => sim.faults.inject({ kind: "status", status: 200 })).toThrow(/400..599/)
  })
})

describe("admin endpoints", () => {
  it("POST/GET/DELETE /__simulator/faults and GET /__simulator/state", async () => {
    const h = await setup()
    const injected = await h.call("POST", "/__simulator/faults", {
      apiKey: null,
      body: [
        { kind: "status", status: 503, times: 1 },
        { kind: "latency", ms: 1, times: 1 }
      ]
    })
    expect(injected.status).toBe(200)
    expect(injected.json.active).toHaveLength(2)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(503)
    const listed = await h.call("GET", "/__simulator/faults", { apiKey: null })
    expect(listed.json.stats).toMatchObject({ status: 1, latency: 1 })
    await h.call("POST", "/__simulator/faults", { apiKey: null, body: { kind: "html" } })
    expect((await h.call("DELETE", "/__simulator/faults", { apiKey: null })).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    const bad = await h.call("POST", "/__simulator/faults", { apiKey: null, body: { kind: "nope" } })
    expect([bad.status, bad.json.code]).toEqual([400, 3])

    const state = await h.call("GET", "/__simulator/state", { apiKey: null })
    expect(state.json).toMatchObject({
      apps: 1,
      users: ["alice", "bob"],
      businesses: [{ token: h.business, owner: "alice" }],
      posts: [],
      faults: { active: [] }
    })
    expect(state.text).not.toContain(apiKey)
  })

  it("drive posts and issue tokens", async () => {
    const h = await setup()
    const token = h.sim.addPost({
      owner: h.alice,
      state: "POST_STATE_WAITING_FOR_PAYMENT",
      general_data: { title: "آگهی" }
    })
    const paid = await h.call("POST", `/__simulator/posts/${token}/pay`, { apiKey: null })
    expect(paid.json.post.state).toBe("POST_STATE_WAITING_FOR_REVIEW")
    const rejected = await h.call("POST", `/__simulator/posts/${token}/reject`, {
      apiKey: null,
      body: { reason: "عکس ندارد", state: "POST_STATE_WAITING_FOR_EDIT" }
    })
    expect(rejected.json.post).toMatchObject({
      state: "POST_STATE_WAITING_FOR_EDIT",
      reject_reason: "عکس ندارد"
    })
    const impossible = await h.call("POST", `/__simulator/posts/${token}/queue`, { apiKey: null })
    expect([impossible.status, impossible.json.code]).toEqual([400, 3])
    const issued = await h.call("POST", "/__simulator/tokens", {
      apiKey: null,
      body: { user: "alice", scopes: ["USER_POSTS_GET"] }
    })
    const answer = await h.call("GET", paths.userPost(token), { bearer: issued.json.access_token })
    expect(answer.json.state).toBe("POST_STATE_WAITING_FOR_EDIT")
  })

  it("can be turned off", async () => {
    const h = await setup({ admin: false })
    const answer = await h.call("GET", "/__simulator/state", { apiKey: null })
    expect([answer.status, answer.json.code]).toEqual([404, 5])
    expect(
      (await h.call("POST", "/__simulator/faults", { apiKey: null, body: { kind: "html" } })).status
    ).toBe(404)
  })
})

describe("SimulatorFault.parse (the CLI syntax)", () => {
  it("reads <kind>[:key=value,...] and JSON", () => {
    expect(SimulatorFault.parse("status:status=503,times=3")).toEqual({
      kind: "status",
      status: 503,
      times: 3
    })
    expect(SimulatorFault.parse("reset-after:operation=submitPostV2,times=1")).toEqual({
      kind: "reset-after",
      operation: "submitPostV2",
      times: 1
    })
    expect(SimulatorFault.parse("latency:ms=250,rate=0.3,seed=42")).toEqual({
      kind: "latency",
      ms: 250,
      rate: 0.3,
      seed: 42
    })
    expect(SimulatorFault.parse("html")).toEqual({ kind: "html" })
    expect(SimulatorFault.parse('{"kind":"truncated","times":2}')).toEqual({ kind: "truncated", times: 2 })
    expect(() => SimulatorFault.parse("latency")).toThrow(/needs 'ms'/)
    expect(() => SimulatorFault.parse("status:status=abc")).toThrow(/non-negative number/)
  })
})
