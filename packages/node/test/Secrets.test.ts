/**
 * Secrets: the API key, the OAuth client secret, authorization codes and
 * every access and refresh token (the rotated ones included) never appear in
 * what a run leaves behind: error messages, `String`/JSON/`inspect` of
 * errors, Effect logs at every level (a custom Logger, minimum level `All`),
 * console output, spans (a custom Tracer: every span, nested ones included,
 * with attributes, events and links) or URLs (what the server received).
 * The run goes through the OAuth sign-in and refresh flow against the
 * simulator's OAuth server, uploads and ordinary calls, with faults on all
 * three. Then: the browser side of `NodeKenarProxy` under faults sees no
 * secret, and a combined allow-list check: the API key never reaches a host
 * off the allow-list (upload URLs, v1 upload URLs, redirects of calls and
 * of uploads; undici, fetch and the proxy).
 *
 * Elsewhere: the browser's API-key guard (packages/browser/test/BrowserKenarClient.test.ts,
 * "the API key guard"), the proxy's key stripping and leak-free answers and
 * events (packages/node/test/NodeKenarProxy.test.ts), errors without secrets
 * (packages/core/test/KenarError.test.ts, OAuth.test.ts), redirects not
 * followed (packages/core/test/Redirects.test.ts, NodeUploads.test.ts).
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import { KenarAuth, KenarClient, type KenarError, OAuth, PostEdit, Posts, Uploads } from "@kenar/core"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import { Cause, Effect, Exit, Layer, Logger, References } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Tracer from "effect/Tracer"
import { afterEach, describe, expect, it } from "vitest"
import * as NodeHttpClient from "../src/NodeHttpClient.js"
import * as NodeKenarProxy from "../src/NodeKenarProxy.js"

const jpeg = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01
])

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Everything a run leaves behind that a person or a log pipeline could read. */
class Capture {
  readonly errors: Array<string> = []
  readonly logs: Array<string> = []
  readonly console: Array<string> = []
  readonly spans: Array<Tracer.NativeSpan> = []
  readonly urls: Array<string> = []
  private restore: Array<() => void> = []

  error(error: unknown) {
    const e = error as Error
    this.errors.push(
      String(error),
      safe(() => JSON.stringify(error)),
      e?.message ?? "",
      e?.stack ?? "",
      inspect(error, { depth: 8, showHidden: true }),
      safe(() =>
        Object.values(error as object)
          .map((v) => inspect(v, { depth: 4 }))
          .join(" ")
      )
    )
  }

  readonly logger = Logger.make((options) => {
    this.logs.push(
      `${options.logLevel} ${inspect(options.message, { depth: 8 })} ${Cause.pretty(options.cause)} ${inspect(options.cause, { depth: 8 })}`
    )
  })

  readonly tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      this.spans.push(span)
      return span
    }
  })

  /** Records console.* and process stdout/stderr writes instead of printing them. */
  watchConsole() {
    for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
      const original = console[method]
      console[method] = (...args: Array<unknown>) => {
        this.console.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 8 }))).join(" "))
      }
      this.restore.push(() => {
        console[method] = original
      })
    }
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write
      stream.write = ((chunk: unknown) => {
        this.console.push(String(chunk))
        return true
      }) as typeof stream.write
      this.restore.push(() => {
        stream.write = original
      })
    }
  }

  unwatchConsole() {
    for (const restore of this.restore.splice(0)) restore()
  }

  spanTexts(): Array<string> {
    return this.spans.map((span) =>
      inspect(
        {
          name: span.name,
          attributes: [...span.attributes],
          events: span.events,
          links: span.links.map((link) => link.attributes),
          status: span.status._tag === "Ended" ? inspect(span.status.exit, { depth: 6 }) : "open"
        },
        { depth: 8 }
      )
    )
  }

  /** How often each secret (as is, URL-encoded, base64) occurs in everything captured. */
  search(secrets: ReadonlyArray<string>) {
    const channels = {
      errors: this.errors.join("\n"),
      logs: this.logs.join("\n"),
      console: this.console.join("\n"),
      spans: this.spanTexts().join("\n"),
      urls: this.urls.join("\n")
    }
    const hits: Array<string> = []
    for (const secret of secrets) {
      const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")]
      for (const [channel, text] of Object.entries(channels)) {
        if (forms.some((form) => text.includes(form))) hits.push(`${channel}: ${secret.slice(0, 6)}…`)
      }
    }
    return { hits, sizes: Object.fromEntries(Object.entries(channels).map(([k, v]) => [k, v.length])) }
  }
}

const safe = (f: () => string | undefined): string => {
  try {
    return f() ?? ""
  } catch (error) {
    return `<${String(error)}>`
  }
}

describe("secrets never leak", () => {
  it("OAuth sign-in and refresh, uploads and calls under faults: no secret in errors, logs, console, spans or URLs", async () => {
    let clock = Date.parse("2026-11-27T09:00:00Z")
    const sim = KenarSimulator.make({ now: () => clock, rateLimit: { perMinute: 0 } })
    const apiKey = sim.addApp({ apiKey: `sim_app_key_${"k".repeat(8)}_4f81c2` })
    const user = sim.addUser({ id: "secret-user" })
    const business = sim.addBusiness({ name: "کسب‌وکار", owner: user })
    const post = sim.addPost({ owner: user, business, general_data: { title: "آگهی آزمون" } })
    sim.oauth.autoApprove = true
    sim.oauth.user = user
    const client = sim.addOAuthClient({
      clientId: "secret-test-app",
      clientSecret: "sim_cs_topsecret_91d2",
      redirectUris: ["http://127.0.0.1:5173/oauth/callback"],
      apiKey
    })

    // the server side: every URL received, and every token and code the OAuth server hands out
    const capture = new Capture()
    const issued = new Set<string>()
    const server = await NodeSimulatorServer.listen({
      ...sim,
      handler: async (request) => {
        capture.urls.push(request.url)
        const response = await sim.handler(request)
        const url = new URL(request.url)
        if (url.pathname === "/oauth2/token" && response.ok) {
          const body = (await response.clone().json()) as { access_token?: string; refresh_token?: string }
          if (body.access_token) issued.add(body.access_token)
          if (body.refresh_token) issued.add(body.refresh_token)
        }
        const code = new URL(response.headers.get("location") ?? "http://x.invalid").searchParams.get("code")
        if (code) issued.add(code)
        return response
      }
    })
    cleanups.push(() => server.close())

    const OAuthLive = OAuth.layer({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri: client.redirectUris[0]!,
      authorizeUrl: `${server.url}/oauth2/auth`,
      tokenUrl: `${server.url}/oauth2/token`,
      apiKey,
      timeout: "2 seconds"
    })
    const KenarLive = Layer.mergeAll(
      KenarClient.layer({ baseUrl: server.url, timeout: "2 seconds", retry: { baseDelay: 5, maxDelay: 20 } }),
      Uploads.layer({ apiKey })
    ).pipe(Layer.provideMerge(OAuthLive), Layer.provide(NodeHttpClient.layer))

    sim.faults.inject([
      { kind: "latency", ms: 20, rate: 0.2, seed: 1 },
      { kind: "status", status: 503, rate: 0.1, seed: 2 },
      { kind: "html", rate: 0.05, seed: 3 },
      { kind: "reset-before", rate: 0.05, seed: 4 },
      { kind: "reset-after", rate: 0.05, seed: 5 },
      { kind: "truncated", rate: 0.05, seed: 6 },
      { kind: "invalid-json", rate: 0.05, seed: 7 },
      { kind: "status", status: 401, message: "access token expired", rate: 0.05, seed: 8 },
      { kind: "status", status: 503, operation: "oauthToken", rate: 0.25, seed: 9 },
      { kind: "reset-after", operation: "oauthToken", rate: 0.15, seed: 10 },
      { kind: "status", status: 503, operation: "uploadImage", rate: 0.25, seed: 11 },
      { kind: "truncated", operation: "uploadImage", rate: 0.15, seed: 12 }
    ])

    const figures = { calls: 0, failed: 0, refreshes: 0, uploads: 0, uploadsFailed: 0 }
    const logEverything = (label: string, cause: Cause.Cause<unknown>) =>
      Effect.all([
        Effect.logTrace(label, cause),
        Effect.logDebug(label, Cause.squash(cause)),
        Effect.logInfo(label, { cause }),
        Effect.logWarning(label, Cause.pretty(cause)),
        Effect.logError(label, cause),
        Effect.logFatal(label, Cause.squash(cause)),
        Effect.sync(() => {
          const error = Cause.squash(cause)
          capture.error(error)
          console.error(label, error)
          console.log(`${label}: ${String(error)}`)
        })
      ])
    const attempt = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
      Effect.flatMap(Effect.exit(effect), (exit) =>
        Exit.isSuccess(exit)
          ? Effect.as(Effect.logDebug(`${label} ok`, exit.value), true)
          : Effect.as(logEverything(`${label} failed`, exit.cause), false)
      )

    const program = Effect.gen(function* () {
      const oauth = yield* OAuth.OAuthClient
      const manager = yield* OAuth.TokenManager
      // 1. sign-in: authorization URL, the consent redirect, the callback, the code exchange
      const state = yield* OAuth.generateState
      const url = yield* oauth.authorizationUrl({
        scopes: [
          "USER_POSTS_GET",
          "USER_POSTS_STATS_READ",
          "EDIT_USER_POST",
          "SUBMIT_USER_POST",
          "offline_access"
        ],
        state
      })
      capture.urls.push(url)
      // Divar's redirect to the app carries the code (by design of OAuth); the SDK reads it, never builds it
      const redirect = yield* Effect.promise(() => fetch(url, { redirect: "manual" }))
      const code = yield* OAuth.verifyCallback(redirect.headers.get("location") ?? "", state)
      let tokens: OAuth.TokenSet | undefined
      for (let i = 0; i < 10 && tokens === undefined; i++) {
        const exit = yield* Effect.exit(oauth.exchangeCode(code))
        if (Exit.isSuccess(exit)) tokens = exit.value
        else yield* logEverything("exchange", exit.cause)
      }
      if (tokens === undefined) return yield* Effect.die(new Error("no tokens after 10 tries"))
      yield* manager.save(tokens)
      // a refused exchange and a user without tokens: OAuth errors of their own
      yield* attempt("bogus code", oauth.exchangeCode("sim_ac_not_a_code"))
      yield* attempt("no tokens", Posts.getUserPost({ token: post }).pipe(OAuth.withTokenKey("nobody")))

      // 2. rounds of calls and uploads; between rounds the access token expires (refresh on 401)
      for (let round = 0; round < 8; round++) {
        const calls: ReadonlyArray<
          readonly [string, Effect.Effect<unknown, KenarError.KenarError, KenarClient.KenarClient>]
        > = [
          ["getUserPost", Posts.getUserPost({ token: post })],
          ["getPostStats", Posts.getPostStats({ post_token: post })],
          ["canUserSubmitPost", Posts.canUserSubmitPost()],
          [
            "editPostV2",
            Posts.editPostV2({
              post_token: post,
              ...PostEdit.make({ general_data: { title: `دور ${round}` } })
            })
          ],
          [
            "submitUserPost",
            Posts.submitUserPost({
              business_token: business,
              category_fields: { status: "new" },
              general_data: {
                category_slug: "light",
                title: "چراغ",
                description: `round ${round}`,
                images: [],
                city: "tehran",
                location_type: "LOCATION_TYPE_EXACT",
                hide_phone: false,
                chat_enabled: true
              }
            })
          ],
          ["getUserPost (missing)", Posts.getUserPost({ token: "NoSuchPost" })]
        ]
        for (const [label, call] of calls) {
          figures.calls++
          if (!(yield* attempt(label, call))) figures.failed++
        }
        figures.uploads++
        if (!(yield* attempt("uploadImage", Uploads.uploadImage(jpeg)))) figures.uploadsFailed++
        clock += 2 * 60 * 60 * 1000 // the access token expires on the server's clock
      }
      return figures
    })

    capture.watchConsole()
    try {
      await Effect.runPromise(
        program.pipe(
          Effect.provide(KenarLive),
          Effect.provide(Logger.layer([capture.logger], { mergeWithExisting: true })),
          Effect.provideService(References.MinimumLogLevel, "All"),
          Effect.provideService(Tracer.Tracer, capture.tracer)
        )
      )
    } finally {
      capture.unwatchConsole()
    }
    figures.refreshes = sim.oauth.stats().token.refresh_token

    const secrets = [apiKey, client.clientSecret, ...issued]
    const { hits, sizes } = capture.search(secrets)
    const attributes = capture.spans.reduce((n, span) => n + span.attributes.size, 0)
    const nested = capture.spans.filter((span) => span.parent._tag === "Some").length
    console.log(
      [
        `[secrets] ${secrets.length} secrets searched (API key, client secret, ${issued.size} issued codes and access/refresh tokens, rotations included) in:`,
        `[secrets]   ${capture.errors.length} error renderings (${sizes.errors} chars), ${capture.logs.length} log entries at all levels (${sizes.logs} chars), ${capture.console.length} console writes (${sizes.console} chars), ${capture.spans.length} spans (${nested} nested, ${attributes} attributes), ${capture.urls.length} URLs`,
        `[secrets]   run: ${figures.calls} calls (${figures.failed} failed under faults), ${figures.uploads} uploads (${figures.uploadsFailed} failed), ${figures.refreshes} refresh requests; hits: ${hits.length}`
      ].join("\n")
    )
    expect(hits).toEqual([])
    // the search itself finds a secret where there is one
    const control = new Capture()
    control.logs.push(`oops ${encodeURIComponent(client.clientSecret)}`)
    control.spans.push(...capture.spans.slice(0, 1))
    expect(control.search(secrets).hits).toEqual([`logs: ${client.clientSecret.slice(0, 6)}…`])
    expect(issued.size).toBeGreaterThanOrEqual(3)
    expect(figures.refreshes).toBeGreaterThan(0)
    expect(capture.logs.length).toBeGreaterThan(0)
    expect(capture.spans.length).toBeGreaterThan(0)
  }, 60_000)

  it("the browser side of NodeKenarProxy sees no API key or token, under faults", async () => {
    const sim = KenarSimulator.make({ rateLimit: { perMinute: 0 } })
    const demo = KenarSimulator.seedDemo(sim)
    const upstream = await NodeSimulatorServer.listen(sim)
    cleanups.push(() => upstream.close())
    const events: Array<NodeKenarProxy.Event> = []
    const proxy = NodeKenarProxy.make({
      apiKey: demo.apiKey,
      baseUrl: upstream.url,
      operations: Object.values(Posts.all),
      accessToken: () => demo.accessToken,
      uploads: true,
      timeout: "300 millis",
      onEvent: (event) => events.push(event)
    })
    cleanups.push(() => proxy.dispose())
    const server = http.createServer(NodeKenarProxy.toNodeListener(proxy))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${NodeKenarProxy.DEFAULT_PREFIX}`

    sim.faults.inject([
      { kind: "latency", ms: 600, rate: 0.1, seed: 21 },
      { kind: "status", status: 503, rate: 0.1, seed: 22 },
      { kind: "html", rate: 0.1, seed: 23 },
      { kind: "reset-before", rate: 0.1, seed: 24 },
      { kind: "reset-after", rate: 0.1, seed: 25 },
      { kind: "truncated", rate: 0.1, seed: 26 },
      { kind: "invalid-json", rate: 0.1, seed: 27 },
      { kind: "status", status: 401, rate: 0.05, seed: 28 }
    ])
    const seen: Array<string> = []
    const browser = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${base}${path}`, init)
      seen.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`)
    }
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => [
        browser(`/v1/open-platform/user-post/${demo.posts[i % demo.posts.length]}`),
        browser(`/experimental/open-platform/posts/${demo.posts[0]}/stats`),
        browser("/v2/open-platform/post/upload-urls"),
        browser("/uploads/image", { method: "POST", headers: { "content-type": "image/jpeg" }, body: jpeg })
      ]).flat()
    )
    const everything = `${seen.join("\n")}\n${JSON.stringify(events)}`
    const hits = [demo.apiKey, demo.accessToken].filter((secret) => everything.includes(secret))
    const failed = seen.filter((line) => !line.startsWith("200")).length
    console.log(
      `[secrets, proxy] ${seen.length} browser requests through NodeKenarProxy under faults (${failed} answered with an error), ${events.length} events: ${hits.length} hits of the API key or the user's token`
    )
    expect(hits).toEqual([])
    expect(failed).toBeGreaterThan(0)
  })
})

describe("the API key never reaches a host off the allow-list (combined)", () => {
  it("upload URLs, v1 upload URLs and redirects of calls and of uploads, over undici, fetch and the proxy", async () => {
    // the decoy: another host (127.0.0.2) that records whatever reaches it
    const decoyHits: Array<http.IncomingHttpHeaders> = []
    const decoy = http.createServer((request, response) => {
      decoyHits.push(request.headers)
      request.resume()
      response.writeHead(200, { "content-type": "application/json" }).end('{"path":"stolen.jpg"}')
    })
    await new Promise<void>((resolve) => decoy.listen(0, "127.0.0.2", resolve))
    cleanups.push(() => new Promise<void>((resolve) => decoy.close(() => resolve())))
    const decoyUrl = `http://127.0.0.2:${(decoy.address() as AddressInfo).port}`

    // a hostile "Kenar" on the allowed host: upload URLs and redirects point at the decoy
    const kenarRequests: Array<string> = []
    const kenar = http.createServer((request, response) => {
      kenarRequests.push(`${request.method} ${request.url}`)
      request.resume()
      const json = (body: unknown) =>
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body))
      const self = `http://127.0.0.1:${(kenar.address() as AddressInfo).port}`
      const mode = kenarMode
      if (request.url === "/v2/open-platform/post/upload-urls") {
        const target = mode === "upload-redirect" ? `${self}/upload-here` : `${decoyUrl}/steal`
        return json({
          image: { url: target, http_method: "POST" },
          video: { url: target, http_method: "PUT" }
        })
      }
      if (request.url === "/v1/open-platform/post/image-upload-url")
        return json({ upload_url: `${decoyUrl}/v1` })
      const status = [301, 302, 303, 307, 308][kenarRequests.length % 5]!
      response.writeHead(status, { location: `${decoyUrl}/redirected${request.url}` }).end()
    })
    let kenarMode: "decoy-urls" | "upload-redirect" = "decoy-urls"
    await new Promise<void>((resolve) => kenar.listen(0, "127.0.0.1", resolve))
    cleanups.push(() => new Promise<void>((resolve) => kenar.close(() => resolve())))
    const kenarUrl = `http://127.0.0.1:${(kenar.address() as AddressInfo).port}`
    const apiKey = "allow-list-test-api-key-7731"

    const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
      ["undici", NodeHttpClient.layer],
      ["fetch", FetchHttpClient.layer]
    ]
    const outcomes: Array<string> = []
    for (const [name, transport] of transports) {
      const layer = KenarClient.layer({ baseUrl: kenarUrl, retry: false }).pipe(
        Layer.provide(KenarAuth.layer({ apiKey, accessToken: "allow-list-access-token" })),
        Layer.provide(transport)
      )
      const vectors: ReadonlyArray<
        readonly [
          string,
          "decoy-urls" | "upload-redirect",
          Effect.Effect<unknown, unknown, KenarClient.KenarClient>
        ]
      > = [
        ["a call answered with a redirect", "decoy-urls", Posts.getUserPost({ token: "AaEB0vbO" })],
        [
          "a mutation answered with a redirect",
          "decoy-urls",
          Posts.deleteUserPost({ post_token: "AaEB0vbO" })
        ],
        ["an upload URL on another host", "decoy-urls", Uploads.uploadImage(jpeg)],
        ["a v1 upload URL on another host", "decoy-urls", Uploads.uploadImageV1(jpeg)],
        ["an upload answered with a redirect", "upload-redirect", Uploads.uploadImage(jpeg)]
      ]
      for (const [what, mode, effect] of vectors) {
        kenarMode = mode
        const exit = await Effect.runPromiseExit(effect.pipe(Effect.provide(layer)))
        outcomes.push(`${name}: ${what}: ${Exit.isFailure(exit) ? "refused" : "SUCCEEDED"}`)
        expect(Exit.isFailure(exit), `${name}: ${what}`).toBe(true)
      }
    }
    // the proxy, with the hostile Kenar upstream
    const proxy = NodeKenarProxy.make({
      apiKey,
      baseUrl: kenarUrl,
      operations: Object.values(Posts.all),
      accessToken: () => "allow-list-access-token",
      uploads: true
    })
    cleanups.push(() => proxy.dispose())
    for (const mode of ["decoy-urls", "upload-redirect"] as const) {
      kenarMode = mode
      const upload = await proxy(
        new Request("http://app.test/api/kenar/uploads/image", {
          method: "POST",
          headers: { "content-type": "image/jpeg" },
          body: jpeg
        })
      )
      outcomes.push(`proxy: upload (${mode}): HTTP ${upload.status}`)
    }
    const call = await proxy(new Request("http://app.test/api/kenar/v1/open-platform/user-post/AaEB0vbO"))
    outcomes.push(`proxy: a call answered with a redirect: HTTP ${call.status}`)

    const withKey = decoyHits.filter((headers) => headers["x-api-key"] !== undefined).length
    console.log(
      `[allow-list] ${outcomes.length} attempts to lead the key elsewhere (${kenarRequests.length} requests reached the hostile Kenar): the decoy host got ${decoyHits.length} requests, ${withKey} with the API key\n  ${outcomes.join("\n  ")}`
    )
    expect(withKey).toBe(0)
    expect(decoyHits).toHaveLength(0)
  })
})
