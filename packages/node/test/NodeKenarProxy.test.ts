/**
 * The key-safe proxy over real HTTP on 127.0.0.1: a browser-like client ->
 * the proxy (node:http through `toNodeListener`) -> the Kenar simulator.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { KenarAuth, KenarClient, KenarError, OAuthScope, Posts } from "@kenar/core"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import { afterEach, describe, expect, it } from "vitest"
import * as NodeKenarProxy from "../src/NodeKenarProxy.js"

// -----------------------------------------------------------------------------
// fixtures
// -----------------------------------------------------------------------------

const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const listen = async (listener: http.RequestListener) => {
  const server = http.createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  cleanups.push(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const SESSION = "sid=alice-session"

interface Setup {
  readonly sim: KenarSimulator.KenarSimulator
  readonly demo: KenarSimulator.Demo
  /** The proxy's origin. */
  readonly origin: string
  /** `{origin}/api/kenar` */
  readonly base: string
  readonly upstream: string
  readonly events: Array<NodeKenarProxy.Event>
}

/**
 * The simulator with demo data, and the proxy in front of it. The session
 * hook gives the demo user's token to requests carrying {@link SESSION}.
 */
const setup = async (
  overrides: (context: {
    readonly demo: KenarSimulator.Demo
    readonly upstream: string
    readonly origin: string
    readonly sim: KenarSimulator.KenarSimulator
  }) => Partial<NodeKenarProxy.Options> = () => ({}),
  options: {
    readonly sim?: KenarSimulator.Options
    /** Wraps the simulator's handler (to watch what reaches it). */
    readonly wrap?: (
      handler: (request: Request) => Promise<Response>
    ) => (request: Request) => Promise<Response>
  } = {}
): Promise<Setup> => {
  const sim = KenarSimulator.make(options.sim)
  const demo = KenarSimulator.seedDemo(sim)
  const server = await NodeSimulatorServer.listen(
    options.wrap === undefined ? sim : { ...sim, handler: options.wrap(sim.handler) }
  )
  cleanups.push(() => server.close())
  const events: Array<NodeKenarProxy.Event> = []
  let proxy: NodeKenarProxy.KenarProxy | undefined
  const listener = NodeKenarProxy.toNodeListener((request) => proxy!(request))
  const origin = await listen(listener)
  proxy = NodeKenarProxy.make({
    apiKey: demo.apiKey,
    baseUrl: server.url,
    operations: Object.values(Posts.all),
    accessToken: (request) =>
      request.headers.get("cookie")?.includes(SESSION) ? demo.accessToken : undefined,
    uploads: true,
    onEvent: (event) => events.push(event),
    ...overrides({ demo, upstream: server.url, origin, sim })
  })
  cleanups.push(() => proxy!.dispose())
  sim.clearRequests()
  return { sim, demo, origin, base: `${origin}/api/kenar`, upstream: server.url, events }
}

/** A raw request whose target is sent exactly as given (no URL normalisation). */
const raw = (
  origin: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(origin)
    const request = http.request({ host: hostname, port, method, path: target, headers }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => {
        text += chunk
      })
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, text }))
    })
    request.on("error", reject)
    request.end(body)
  })

const jpegHead = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01])

/** `total` bytes of a "JPEG" (magic bytes, then filler), made chunk by chunk as it is read. */
const jpegStream = (total: number, chunk = 256 * 1024): ReadableStream<Uint8Array> => {
  let sent = 0
  const filler = new Uint8Array(chunk).fill(0x5a)
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) {
        controller.close()
        return
      }
      const size = Math.min(chunk, total - sent)
      const out = filler.slice(0, size)
      if (sent === 0) out.set(jpegHead.subarray(0, Math.min(jpegHead.length, size)))
      sent += size
      controller.enqueue(out)
    }
  })
}

const statusOf = async (response: Response) => {
  expect(response.headers.get("content-type")).toContain("application/json")
  return (await response.json()) as { code: number; message: string; details: Array<Record<string, unknown>> }
}

const editBody = JSON.stringify({
  update_mask: ["general_data.title"],
  general_data: { title: "عنوان تازه" }
})

// -----------------------------------------------------------------------------
// tests
// -----------------------------------------------------------------------------

describe("NodeKenarProxy: forwarding", () => {
  it("forwards an allowed operation with the API key and the session's token added", async () => {
    const { sim, demo, base, events } = await setup()
    const response = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: SESSION }
    })
    expect(response.status).toBe(200)
    const post = (await response.json()) as { general_data: { title: string } }
    expect(post.general_data.title).toBe(sim.post(demo.posts[0]!)!.general_data.title)
    expect(response.headers.get("cache-control")).toBe("no-store")
    expect(response.headers.get("set-cookie")).toBeNull()
    expect(sim.requests()).toEqual([
      expect.objectContaining({ operation: "getUserPost", status: 200, apiKey: true, accessToken: true })
    ])
    expect(events).toEqual([
      expect.objectContaining({ operation: "getUserPost", status: 200, outcome: "forwarded", method: "GET" })
    ])
  })

  it("sends no token for operations that act as the app", async () => {
    const { sim, base } = await setup()
    const response = await fetch(`${base}/v2/open-platform/post/upload-urls`, {
      headers: { cookie: SESSION, authorization: "Bearer some-browser-token" }
    })
    expect(response.status).toBe(200)
    expect(sim.requests()).toEqual([
      expect.objectContaining({ operation: "getUploadUrls", apiKey: true, accessToken: false })
    ])
  })

  it("forwards JSON bodies of PUT, POST and DELETE operations", async () => {
    const { sim, demo, base } = await setup()
    const post = demo.posts[0]!
    const edit = await fetch(`${base}/v2/open-platform/post/${post}`, {
      method: "PUT",
      headers: { cookie: SESSION, "content-type": "application/json" },
      body: editBody
    })
    expect(edit.status).toBe(200)
    expect(sim.post(post)!.general_data.title).toBe("عنوان تازه")
    const button = await fetch(`${base}/experimental/open-platform/posts/${post}/customized-button`, {
      method: "POST",
      headers: { cookie: SESSION, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({
        customized_button: {
          type: "ONLINE_CALL",
          action: { open_server_link: { data: { id: "1" } } }
        }
      })
    })
    expect(button.status).toBe(200)
    expect(sim.post(post)!.customized_button?.type).toBe("ONLINE_CALL")
    const removed = await fetch(`${base}/experimental/open-platform/posts/${post}/customized-button`, {
      method: "DELETE",
      headers: { cookie: SESSION }
    })
    expect(removed.status).toBe(200)
    expect(sim.post(post)!.customized_button).toBeUndefined()
    expect(sim.requests().map((entry) => [entry.operation, entry.apiKey, entry.accessToken])).toEqual([
      ["editPostV2", true, true],
      ["setPostCustomizedButton", true, true],
      ["deletePostCustomizedButton", true, true]
    ])
  })

  it("passes only safe headers, both ways (no cookies, no hop-by-hop, no forwarding headers)", async () => {
    const received: Array<http.IncomingHttpHeaders> = []
    const upstream = await listen((req, res) => {
      received.push(req.headers)
      res.writeHead(200, {
        "content-type": "application/json",
        "x-request-id": "req-123",
        "retry-after": "3",
        "set-cookie": "upstream=1; Path=/",
        "keep-alive": "timeout=77, max=9",
        "x-internal": "secret-ish",
        "access-control-allow-origin": "*"
      })
      res.end(JSON.stringify({ can_submit: true }))
    })
    const { base } = await setup(() => ({ baseUrl: upstream }))
    const response = await fetch(`${base}/experimental/open-platform/user-posts/can-submit?debug=1`, {
      headers: {
        cookie: `${SESSION}; other=1`,
        "x-forwarded-for": "10.0.0.1",
        "x-forwarded-host": "evil.example",
        forwarded: "for=10.0.0.1",
        "x-custom": "1",
        "proxy-authorization": "Basic Zm9vOmJhcg==",
        te: "trailers"
      }
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ can_submit: true })
    expect(response.headers.get("x-request-id")).toBe("req-123")
    expect(response.headers.get("retry-after")).toBe("3")
    for (const name of ["set-cookie", "x-internal", "access-control-allow-origin"]) {
      expect({ name, value: response.headers.get(name) }).toEqual({ name, value: null })
    }
    // node:http adds its own keep-alive for the browser's connection, not Kenar's
    expect(response.headers.get("keep-alive")).not.toContain("77")
    expect(received).toHaveLength(1)
    const sent = received[0]!
    expect(Object.keys(sent).sort()).toEqual(
      ["accept", "authorization", "connection", "host", "user-agent", "x-api-key"].sort()
    )
    expect(sent["user-agent"]).toMatch(/^kenar-ts\//)
  })

  it("drops a client-sent x-api-key: a wrong key from the browser does not reach Kenar", async () => {
    const { sim, demo, base } = await setup()
    const response = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: SESSION, "x-api-key": "wrong-key-from-the-browser" }
    })
    // Kenar (the simulator) answers 401 for an unknown key: it saw the proxy's key instead.
    expect(response.status).toBe(200)
    expect(sim.requests()).toEqual([expect.objectContaining({ apiKey: true, status: 200 })])
  })

  it("drops the browser's Authorization header unless forwardClientToken is set", async () => {
    const dropped = await setup()
    const refused = await fetch(`${dropped.base}/v1/open-platform/user-post/${dropped.demo.posts[0]}`, {
      headers: { authorization: `Bearer ${dropped.demo.accessToken}` }
    })
    expect(refused.status).toBe(401)
    expect(await statusOf(refused)).toMatchObject({ code: 16, details: [{ reason: "NO_USER_TOKEN" }] })
    expect(dropped.sim.requests()).toEqual([])

    const forwarded = await setup(() => ({ accessToken: undefined, forwardClientToken: true }))
    const ok = await fetch(`${forwarded.base}/v1/open-platform/user-post/${forwarded.demo.posts[0]}`, {
      headers: { authorization: `Bearer ${forwarded.demo.accessToken}` }
    })
    expect(ok.status).toBe(200)
    expect(forwarded.sim.requests()).toEqual([expect.objectContaining({ apiKey: true, accessToken: true })])
  })

  it("uses the session hook's token, and answers 401 itself when there is none", async () => {
    const asked: Array<string | null> = []
    const { sim, demo, base } = await setup(({ demo }) => ({
      accessToken: async (request) => {
        asked.push(request.headers.get("cookie"))
        return request.headers.get("cookie") === "sid=bob" ? demo.accessToken : undefined
      }
    }))
    const ok = await fetch(`${base}/experimental/open-platform/posts/${demo.posts[0]}/stats`, {
      headers: { cookie: "sid=bob" }
    })
    expect(ok.status).toBe(200)
    const anonymous = await fetch(`${base}/experimental/open-platform/posts/${demo.posts[0]}/stats`)
    expect(anonymous.status).toBe(401)
    expect(await statusOf(anonymous)).toMatchObject({ code: 16 })
    expect(asked).toEqual(["sid=bob", null])
    expect(sim.requests()).toEqual([
      expect.objectContaining({ operation: "getPostStats", accessToken: true })
    ])
  })

  it("answers 500 (without details) when the session hook throws", async () => {
    const { sim, demo, base } = await setup(() => ({
      accessToken: () => Promise.reject(new Error("db down: postgres://user:pw@db"))
    }))
    const response = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`)
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).not.toContain("postgres")
    expect(JSON.parse(text)).toMatchObject({ code: 13, details: [{ reason: "SESSION_LOOKUP_FAILED" }] })
    expect(sim.requests()).toEqual([])
  })

  it("asks the authorize hook first and answers 403 when it says no", async () => {
    const { sim, demo, base } = await setup(() => ({
      authorize: (_request, operation) => operation !== "deleteUserPost"
    }))
    const denied = await fetch(`${base}/v1/open-platform/post/${demo.posts[0]}`, {
      method: "DELETE",
      headers: { cookie: SESSION }
    })
    expect(denied.status).toBe(403)
    expect(await statusOf(denied)).toMatchObject({ code: 7 })
    expect(sim.requests()).toEqual([])
    expect(sim.post(demo.posts[0]!)!.state).not.toBe("POST_STATE_DELETED")
  })
})

describe("NodeKenarProxy: refused routes never reach Kenar", () => {
  it("answers 404/405 Status for everything that is not an allowed operation route", async () => {
    const { sim, demo, origin, events } = await setup(() => ({
      operations: [Posts.getUserPost, "getPostStats"]
    }))
    const post = demo.posts[0]!
    const cases: Array<[string, string, number]> = [
      ["GET", "/api/kenar/v1/open-platform/unknown", 404],
      ["GET", "/api/kenar", 404],
      ["GET", "/api/kenar/", 404],
      ["GET", "/elsewhere/v1/open-platform/user-post/abc", 404],
      ["GET", "/api/kenarv1/open-platform/user-post/abc", 404],
      // a listed path with another method
      ["DELETE", `/api/kenar/v1/open-platform/user-post/${post}`, 405],
      // an operation that is not on the allow-list
      ["DELETE", `/api/kenar/v1/open-platform/post/${post}`, 404],
      ["GET", "/api/kenar/v2/open-platform/post/upload-urls", 404],
      // dot segments, raw and encoded
      ["GET", "/api/kenar/v1/open-platform/user-post/../../../__simulator/state", 404],
      ["GET", `/api/kenar/v1/open-platform/user-post/x/../${post}`, 404],
      ["GET", "/api/kenar/v1/open-platform/user-post/%2e%2e/%2e%2e/%2e%2e/__simulator/state", 404],
      ["GET", `/api/kenar/v1/open-platform/./user-post/${post}`, 404],
      // encoded slashes and backslashes in a parameter
      ["GET", "/api/kenar/v1/open-platform/user-post/a%2Fb", 404],
      ["GET", "/api/kenar/v1/open-platform/user-post/a%5Cb", 404],
      ["GET", "/api/kenar/v1/open-platform/user-post/a\\b", 404],
      ["GET", `/api/kenar//v1/open-platform/user-post/${post}`, 404],
      // not a token
      ["GET", "/api/kenar/v1/open-platform/user-post/a%20b", 404],
      ["GET", `/api/kenar/v1/open-platform/user-post/${"x".repeat(65)}`, 404],
      // absolute-form and other hosts
      ["GET", `http://evil.example/api/kenar/v1/open-platform/user-post/${post}`, 404],
      ["GET", `//evil.example/api/kenar/v1/open-platform/user-post/${post}`, 404],
      ["GET", "/api/kenar/https://evil.example/v1/open-platform/user-post/abc", 404],
      // the simulator's own admin routes
      ["GET", "/api/kenar/__simulator/state", 404],
      ["POST", "/api/kenar/__simulator/faults", 404],
      // the upload routes are off for this proxy? no: they are on, but need a body
      ["OPTIONS", `/api/kenar/v1/open-platform/user-post/${post}`, 405]
    ]
    for (const [method, target, expected] of cases) {
      const answer = await raw(origin, method, target, { cookie: SESSION })
      expect({ target, status: answer.status }).toEqual({ target, status: expected })
      expect(answer.headers["content-type"]).toContain("application/json")
      expect(JSON.parse(answer.text)).toMatchObject({ code: expected === 404 ? 5 : 12 })
    }
    expect(sim.requests()).toEqual([])
    expect(events.every((event) => event.outcome === "refused")).toBe(true)
    // and the allowed ones still work
    expect(
      (await raw(origin, "GET", `/api/kenar/v1/open-platform/user-post/${post}`, { cookie: SESSION })).status
    ).toBe(200)
  })

  it("refuses requests a browser marks cross-site, unless allowed", async () => {
    const { sim, demo, base } = await setup()
    const response = await fetch(`${base}/v1/open-platform/post/${demo.posts[0]}`, {
      method: "DELETE",
      headers: { cookie: SESSION, "sec-fetch-site": "cross-site" }
    })
    expect(response.status).toBe(403)
    expect(await statusOf(response)).toMatchObject({ code: 7, details: [{ reason: "CROSS_SITE" }] })
    expect(sim.requests()).toEqual([])
  })

  it("takes JSON bodies only as application/json (a cross-site form cannot send one)", async () => {
    const { sim, demo, base } = await setup()
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x"
    ]) {
      const response = await fetch(`${base}/v2/open-platform/post/${demo.posts[0]}`, {
        method: "PUT",
        headers: { cookie: SESSION, "content-type": type },
        body: editBody
      })
      expect(response.status).toBe(415)
      expect(await statusOf(response)).toMatchObject({ code: 3 })
    }
    const notJson = await fetch(`${base}/v2/open-platform/post/${demo.posts[0]}`, {
      method: "PUT",
      headers: { cookie: SESSION, "content-type": "application/json" },
      body: "[1, 2"
    })
    expect(notJson.status).toBe(400)
    expect(await statusOf(notJson)).toMatchObject({ code: 3, details: [{ reason: "INVALID_JSON" }] })
    expect(sim.requests()).toEqual([])
  })

  it("answers 413 for JSON bodies over the limit, declared or streamed", async () => {
    const { sim, demo, base } = await setup(() => ({ maxBodyBytes: 1024 }))
    const big = JSON.stringify({
      update_mask: ["general_data.description"],
      general_data: { description: "x".repeat(2000) }
    })
    const declared = await fetch(`${base}/v2/open-platform/post/${demo.posts[0]}`, {
      method: "PUT",
      headers: { cookie: SESSION, "content-type": "application/json" },
      body: big
    })
    expect(declared.status).toBe(413)
    expect(await statusOf(declared)).toMatchObject({ code: 3, details: [{ reason: "BODY_TOO_LARGE" }] })
    const bytes = new TextEncoder().encode(big)
    const streamed = await fetch(`${base}/v2/open-platform/post/${demo.posts[0]}`, {
      method: "PUT",
      headers: { cookie: SESSION, "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(bytes.subarray(0, 800))
          controller.enqueue(bytes.subarray(800))
          controller.close()
        }
      }),
      duplex: "half"
    } as RequestInit)
    expect(streamed.status).toBe(413)
    expect(sim.requests()).toEqual([])
    // one under the limit still goes through
    const small = await fetch(`${base}/v2/open-platform/post/${demo.posts[0]}`, {
      method: "PUT",
      headers: { cookie: SESSION, "content-type": "application/json" },
      body: editBody
    })
    expect(small.status).toBe(200)
  })
})

describe("NodeKenarProxy: errors", () => {
  it("passes Kenar's own error status and body on (NOT_FOUND stays code 5)", async () => {
    const { demo, base, upstream } = await setup()
    const direct = await fetch(`${upstream}/v1/open-platform/user-post/NoSuchPost1`, {
      headers: { "x-api-key": demo.apiKey, authorization: `Bearer ${demo.accessToken}` }
    })
    const proxied = await fetch(`${base}/v1/open-platform/user-post/NoSuchPost1`, {
      headers: { cookie: SESSION }
    })
    expect(proxied.status).toBe(404)
    expect(proxied.status).toBe(direct.status)
    const body = await proxied.json()
    expect(body).toEqual(await direct.json())
    expect(body).toMatchObject({ code: 5 })
  })

  it("gives the SDK in front of it the same typed errors as Kenar would (NotFoundError, code 5)", async () => {
    const { base } = await setup(({ demo }) => ({ accessToken: () => demo.accessToken }))
    const client = KenarClient.layer({ baseUrl: base, retry: false }).pipe(
      Layer.provide(Layer.succeed(KenarAuth.KenarAuth, KenarAuth.passthrough())),
      Layer.provide(FetchHttpClient.layer),
      Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "manual" }))
    )
    const exit = await Effect.runPromiseExit(
      Posts.getUserPost({ token: "NoSuchPost1" }).pipe(Effect.provide(client))
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit)
      ? exit.cause.reasons.find((reason) => reason._tag === "Fail")
      : undefined
    expect(error?._tag === "Fail" ? error.error : undefined).toBeInstanceOf(KenarError.NotFoundError)
    expect(error?._tag === "Fail" ? error.error : undefined).toMatchObject({ code: 5, httpStatus: 404 })
  })

  it("passes a 503 fault on as a 503 Status", async () => {
    const { sim, demo, base } = await setup()
    sim.faults.inject({ kind: "status", status: 503, times: 1 })
    const response = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: SESSION }
    })
    expect(response.status).toBe(503)
    expect(await statusOf(response)).toMatchObject({ code: 14 })
    expect(sim.requests()).toEqual([expect.objectContaining({ status: 503, fault: "status" })])
  })

  it("turns a gateway's HTML error page into a Status", async () => {
    const { sim, demo, base } = await setup()
    sim.faults.inject({ kind: "html", times: 1 })
    const response = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: SESSION }
    })
    expect(response.status).toBe(502)
    const body = await statusOf(response)
    expect(body).toMatchObject({ code: 14, details: [{ reason: "UPSTREAM_NOT_STATUS" }] })
  })

  it("answers a connection reset with a 502 Status that says the request may have reached Kenar", async () => {
    const { sim, demo, base, events } = await setup()
    sim.faults.inject({ kind: "reset-before", operation: "getUserPost", times: 1 })
    const response = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: SESSION }
    })
    expect(response.status).toBe(502)
    expect(await statusOf(response)).toMatchObject({
      code: 14,
      details: [{ reason: "UPSTREAM_FAILED", metadata: { mayHaveReachedServer: "true" } }]
    })
    expect(events.at(-1)).toMatchObject({ outcome: "failed", status: 502 })
  })

  it("answers a refused connection with a 502 Status that says nothing was sent", async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const { demo, base } = await setup(() => ({ baseUrl: `http://127.0.0.1:${port}` }))
    const response = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: SESSION }
    })
    expect(response.status).toBe(502)
    expect(await statusOf(response)).toMatchObject({
      code: 14,
      details: [{ reason: "UPSTREAM_UNREACHABLE", metadata: { mayHaveReachedServer: "false" } }]
    })
  })

  it("answers 504 when Kenar is slower than the timeout", async () => {
    const { sim, demo, base } = await setup(() => ({ timeout: "150 millis" }))
    sim.faults.inject({ kind: "latency", ms: 1000, times: 1 })
    const response = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: SESSION }
    })
    expect(response.status).toBe(504)
    expect(await statusOf(response)).toMatchObject({ code: 14, details: [{ reason: "UPSTREAM_TIMEOUT" }] })
  })

  it("never puts the API key or a user's token in an answer or an event", async () => {
    const { demo, base, events, origin } = await setup()
    const texts: Array<string> = []
    const record = async (response: Response) => {
      texts.push(JSON.stringify([...response.headers]), await response.text())
    }
    await record(
      await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, { headers: { cookie: SESSION } })
    )
    await record(
      await fetch(`${base}/v1/open-platform/user-post/NoSuchPost1`, { headers: { cookie: SESSION } })
    )
    await record(await fetch(`${base}/v2/open-platform/post/upload-urls`))
    await record(await fetch(`${base}/nowhere`))
    texts.push((await raw(origin, "GET", "http://evil.example/api/kenar/x")).text)
    const all = texts.join("\n") + JSON.stringify(events)
    expect(all).not.toContain(demo.apiKey)
    expect(all).not.toContain(demo.accessToken)
    expect(events.length).toBe(4)
  })
})

describe("NodeKenarProxy: uploads", () => {
  it("streams an upload through with the key: Kenar gets the first bytes long before the last are sent", async () => {
    let received = 0
    const counting =
      (handler: (request: Request) => Promise<Response>) =>
      (request: Request): Promise<Response> => {
        if (request.body === null || !new URL(request.url).pathname.startsWith("/__upload/"))
          return handler(request)
        const body = request.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              received += chunk.byteLength
              controller.enqueue(chunk)
            }
          })
        )
        return handler(new Request(request, { body, duplex: "half" } as RequestInit))
      }
    const { sim, base, events } = await setup(() => ({ uploads: { maxBytes: 512 * 1024 * 1024 } }), {
      wrap: counting
    })
    const size = 128 * 1024 * 1024
    const chunk = 256 * 1024
    const window = 8 * 1024 * 1024
    const filler = new Uint8Array(chunk).fill(0x5a)
    let sent = 0
    let widest = 0
    // The client only sends more while fewer than `window` bytes are in flight
    // between it and Kenar: a proxy that buffered the body would never let
    // Kenar see a byte, and the upload would stall here.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const deadline = Date.now() + 10_000
        while (sent - received > window) {
          if (Date.now() > deadline) {
            controller.error(new Error(`stalled: ${sent} bytes sent, ${received} reached Kenar`))
            return
          }
          await new Promise((resolve) => setTimeout(resolve, 2))
        }
        widest = Math.max(widest, sent - received)
        if (sent >= size) {
          controller.close()
          return
        }
        const out = filler.slice(0, Math.min(chunk, size - sent))
        if (sent === 0) out.set(jpegHead)
        sent += out.byteLength
        controller.enqueue(out)
      }
    })
    const response = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body,
      duplex: "half"
    } as RequestInit)
    expect(response.status).toBe(200)
    const answer = (await response.json()) as { path: string; photo_url: string }
    expect(answer.path).toMatch(/\.jpg$/)
    expect(sim.uploads().images.find((image) => image.path === answer.path)?.bytes).toBe(size)
    expect(received).toBe(size)
    expect(widest).toBeLessThanOrEqual(window)
    expect(sim.requests().map((entry) => [entry.operation, entry.apiKey, entry.accessToken])).toEqual([
      ["getUploadUrls", true, false],
      ["uploadImage", true, false]
    ])
    expect(events.at(-1)).toMatchObject({ operation: "uploadImage", outcome: "forwarded", status: 200 })
  }, 60_000)

  it("uploads a video with PUT", async () => {
    const { sim, base } = await setup()
    const mp4 = new Uint8Array(4096)
    mp4.set([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d])
    const response = await fetch(`${base}/uploads/video`, {
      method: "PUT",
      headers: { "content-type": "video/mp4" },
      body: mp4
    })
    expect(response.status).toBe(200)
    const answer = (await response.json()) as { video_name: string }
    expect(sim.uploads().videos.find((video) => video.name === answer.video_name)?.bytes).toBe(4096)
  })

  it("answers 413 for an upload over the limit: declared at once, streamed when it gets there", async () => {
    const { sim, base } = await setup(() => ({ uploads: { maxBytes: 1024 * 1024 } }))
    const images = sim.uploads().images.length
    const declared = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: new Uint8Array(2 * 1024 * 1024).fill(0xff)
    })
    expect(declared.status).toBe(413)
    expect(await statusOf(declared)).toMatchObject({ code: 3, details: [{ reason: "BODY_TOO_LARGE" }] })
    expect(sim.requests()).toEqual([])

    const streamed = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: jpegStream(3 * 1024 * 1024, 64 * 1024),
      duplex: "half"
    } as RequestInit)
    expect(streamed.status).toBe(413)
    expect(sim.uploads().images.length).toBe(images)
  })

  it("refuses other media types, empty bodies and other methods without contacting Kenar", async () => {
    const { sim, base } = await setup()
    const gif = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/gif" },
      body: new Uint8Array([0x47, 0x49, 0x46, 0x38])
    })
    expect(gif.status).toBe(415)
    const empty = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: new Uint8Array(0)
    })
    expect(empty.status).toBe(400)
    const put = await fetch(`${base}/uploads/image`, {
      method: "PUT",
      headers: { "content-type": "image/jpeg" }
    })
    expect(put.status).toBe(405)
    expect(sim.requests()).toEqual([])
  })

  it("refuses a video sent as an image before sending it (core sniffs the bytes)", async () => {
    const { sim, base } = await setup()
    const mp4 = new Uint8Array([
      0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 0, 0
    ])
    const response = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: mp4
    })
    expect(response.status).toBe(415)
    expect(await statusOf(response)).toMatchObject({ code: 3, details: [{ reason: "TypeMismatch" }] })
    expect(sim.requests().map((entry) => entry.operation)).not.toContain("uploadImage")
  })

  it("passes the upload host's refusal on (a JPEG declared as PNG)", async () => {
    const { sim, base } = await setup()
    const response = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: jpegHead
    })
    expect(response.status).toBe(400)
    expect(await statusOf(response)).toMatchObject({ code: 3 })
    expect(sim.requests().map((entry) => [entry.operation, entry.status])).toEqual([
      ["getUploadUrls", 200],
      ["uploadImage", 400]
    ])
  })

  it("passes the upload host's error on", async () => {
    const { sim, base } = await setup()
    sim.faults.inject({ kind: "status", status: 503, operation: "uploadImage", times: 1 })
    const response = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: jpegHead
    })
    expect(response.status).toBe(503)
    expect(await statusOf(response)).toMatchObject({ code: 14 })
    expect(sim.requests().map((entry) => [entry.operation, entry.status])).toEqual([
      ["getUploadUrls", 200],
      ["uploadImage", 503]
    ])
  })

  it("does not send the key to an upload host off the allow-list", async () => {
    // the simulator's upload URLs point at another host than the API's
    const { base, sim } = await setup(() => ({}), { sim: { baseUrl: "http://uploads.evil.example" } })
    const response = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: jpegHead
    })
    expect(response.status).toBe(502)
    expect(await statusOf(response)).toMatchObject({ details: [{ reason: "UPLOAD_HOST_NOT_ALLOWED" }] })
    expect(sim.requests().map((entry) => entry.operation)).toEqual(["getUploadUrls"])
  })

  it("has no upload routes unless asked for", async () => {
    const { sim, base } = await setup(() => ({ uploads: undefined }))
    const response = await fetch(`${base}/uploads/image`, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: jpegHead
    })
    expect(response.status).toBe(404)
    expect(sim.requests()).toEqual([])
  })
})

describe("NodeKenarProxy: OAuth routes", () => {
  const oauthSetup = () =>
    setup(({ demo, upstream, origin, sim }) => {
      const client = sim.addOAuthClient({
        clientId: "proxy-app",
        clientSecret: "proxy-app-secret-123",
        redirectUris: [`${origin}/api/kenar/oauth/callback`],
        apiKey: demo.apiKey
      })
      sim.oauth.autoApprove = true
      return {
        accessToken: undefined,
        oauth: {
          settings: {
            clientId: client.clientId,
            clientSecret: client.clientSecret,
            redirectUri: `${origin}/api/kenar/oauth/callback`,
            authorizeUrl: `${upstream}/oauth2/auth`,
            tokenUrl: `${upstream}/oauth2/token`
          },
          scopes: [OAuthScope.USER_POSTS_GET, "offline_access"],
          sessionKey: (request) => /sid=([\w-]+)/.exec(request.headers.get("cookie") ?? "")?.[1]
        }
      }
    })

  const cookiesOf = (response: Response) =>
    response.headers
      .getSetCookie()
      .map((cookie) => cookie.split(";", 1)[0]!)
      .filter((cookie) => !cookie.endsWith("="))

  it("signs the user in with the code exchanged server-side, then calls Kenar with the user's token", async () => {
    const { sim, demo, base, origin } = await oauthSetup()
    const start = await fetch(`${base}/oauth/start?return_to=${encodeURIComponent("/posts?tab=mine#top")}`, {
      redirect: "manual",
      headers: { cookie: "sid=s1" }
    })
    expect(start.status).toBe(302)
    const authorize = new URL(start.headers.get("location")!)
    expect(authorize.pathname).toBe("/oauth2/auth")
    expect(authorize.searchParams.get("scope")).toBe("USER_POSTS_GET offline_access")
    expect(start.headers.get("location")).not.toContain("proxy-app-secret-123")
    const cookies = cookiesOf(start)
    expect(cookies.map((cookie) => cookie.split("=")[0])).toEqual(["kenar_oauth_state", "kenar_oauth_return"])

    const approved = await fetch(authorize, { redirect: "manual" })
    expect(approved.status).toBe(302)
    const callback = new URL(approved.headers.get("location")!)
    expect(callback.origin + callback.pathname).toBe(`${origin}/api/kenar/oauth/callback`)

    const back = await fetch(callback, {
      redirect: "manual",
      headers: { cookie: ["sid=s1", ...cookies].join("; ") }
    })
    expect(back.status).toBe(303)
    expect(back.headers.get("location")).toBe("/posts?tab=mine&kenar_login=success#top")
    expect(back.headers.getSetCookie().join("\n")).not.toContain("proxy-app-secret-123")
    expect(sim.oauth.stats().token.authorization_code).toBe(1)

    sim.clearRequests()
    const post = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: "sid=s1" }
    })
    expect(post.status).toBe(200)
    expect(sim.requests()).toEqual([expect.objectContaining({ operation: "getUserPost", accessToken: true })])
    // another session is not signed in
    const other = await fetch(`${base}/v1/open-platform/user-post/${demo.posts[0]}`, {
      headers: { cookie: "sid=s2" }
    })
    expect(other.status).toBe(401)
  })

  it("sends the browser back with the error when the user refuses or the state does not match", async () => {
    const { base } = await oauthSetup()
    const start = await fetch(`${base}/oauth/start?return_to=/home`, { redirect: "manual" })
    const cookies = cookiesOf(start)
    const state = new URL(start.headers.get("location")!).searchParams.get("state")!
    const denied = await fetch(
      `${base}/oauth/callback?error=access_denied&error_description=${encodeURIComponent("The user said no")}&state=${state}`,
      { redirect: "manual", headers: { cookie: ["sid=s1", ...cookies].join("; ") } }
    )
    expect(denied.status).toBe(303)
    const deniedTo = new URL(denied.headers.get("location")!, "http://app.invalid")
    expect(deniedTo.pathname).toBe("/home")
    expect(deniedTo.searchParams.get("kenar_login")).toBe("error")
    expect(deniedTo.searchParams.get("kenar_error")).toBe("access_denied")
    expect(deniedTo.searchParams.get("kenar_error_description")).toBe("The user said no")

    const forged = await fetch(`${base}/oauth/callback?code=stolen&state=${"x".repeat(43)}`, {
      redirect: "manual",
      headers: { cookie: ["sid=s1", ...cookies].join("; ") }
    })
    expect(
      new URL(forged.headers.get("location")!, "http://app.invalid").searchParams.get("kenar_error")
    ).toBe("state_mismatch")
  })

  it("refuses scopes the app did not allow, and return_to values that leave the site", async () => {
    const { base, sim } = await oauthSetup()
    const scoped = await fetch(`${base}/oauth/start?scope=DELETE_USER_POST&return_to=/x`, {
      redirect: "manual"
    })
    expect(scoped.status).toBe(303)
    expect(
      new URL(scoped.headers.get("location")!, "http://app.invalid").searchParams.get("kenar_error")
    ).toBe("invalid_scope")
    for (const target of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "javascript:alert(1)"
    ]) {
      const start = await fetch(`${base}/oauth/start?return_to=${encodeURIComponent(target)}`, {
        redirect: "manual"
      })
      const cookie = start.headers.getSetCookie().find((value) => value.startsWith("kenar_oauth_return="))!
      expect(decodeURIComponent(cookie.split(";")[0]!.split("=")[1]!)).toBe("/")
    }
    expect(sim.oauth.stats().authorize).toBe(0)
  })
})

describe("NodeKenarProxy: settings", () => {
  it("throws a TypeError for missing or invalid settings, never showing a secret", () => {
    const previous = process.env.KENAR_API_KEY
    delete process.env.KENAR_API_KEY
    try {
      expect(() => NodeKenarProxy.make({ operations: [Posts.getUserPost] })).toThrow(/no API key/)
    } finally {
      if (previous !== undefined) process.env.KENAR_API_KEY = previous
    }
    expect(() => NodeKenarProxy.make({ apiKey: "k-secret-1", operations: undefined as never })).toThrow(
      /operations is required/
    )
    expect(() =>
      NodeKenarProxy.make({ apiKey: "k-secret-1", operations: ["getEverything" as never] })
    ).toThrow(/unknown operation/)
    expect(() => NodeKenarProxy.make({ apiKey: "k-secret-1", operations: [], prefix: "api/../x" })).toThrow(
      /prefix/
    )
    expect(() => NodeKenarProxy.make({ apiKey: "k-secret-1", operations: [], maxBodyBytes: -1 })).toThrow(
      /maxBodyBytes/
    )
    expect(() =>
      NodeKenarProxy.make({
        apiKey: "k-secret-1",
        operations: [],
        uploads: { allowedHosts: ["evil.example/x"] }
      })
    ).toThrow(/allowedHosts/)
    try {
      NodeKenarProxy.make({
        apiKey: "k-secret-1",
        operations: [],
        oauth: {
          settings: { clientId: "a", clientSecret: "cs-secret-2", redirectUri: "not a url" },
          scopes: ["USER_POSTS_GET"],
          sessionKey: () => undefined
        }
      })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      expect(String(error)).not.toContain("cs-secret-2")
      expect(String(error)).toContain("oauth settings")
    }
  })

  it("lists the operations that act for a user", () => {
    expect(NodeKenarProxy.USER_OPERATIONS.map((definition) => definition.name).sort()).toEqual(
      Object.values(Posts.all)
        .filter((operation) => operation.definition.scopes !== undefined)
        .map((operation) => operation.definition.name)
        .sort()
    )
    expect(NodeKenarProxy.USER_OPERATIONS.some((definition) => definition.name === "submitPostV2")).toBe(
      false
    )
  })
})
