import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { afterEach, describe, expect, it } from "vitest"
import * as KenarClient from "../src/KenarClient.js"
import * as OAuth from "../src/OAuth.js"
import * as Posts from "../src/Posts.js"

// -----------------------------------------------------------------------------
// a minimal HTTP endpoint on loopback
// -----------------------------------------------------------------------------

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  readonly form: URLSearchParams
}

interface Answer {
  readonly status: number
  readonly body: unknown
}

const servers: Array<http.Server> = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** Starts a server on 127.0.0.1 (ephemeral port) answering each request with `handle`. */
const serve = async (handle: (request: Received) => Answer | Promise<Answer>) => {
  const received: Array<Received> = []
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8")
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        form: new URLSearchParams(body)
      }
      received.push(request)
      const answer = await handle(request)
      const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body)
      res.writeHead(answer.status, { "content-type": "application/json" }).end(text)
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, received }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// -----------------------------------------------------------------------------
// fixtures
// -----------------------------------------------------------------------------

const CLIENT_SECRET = "cs_SUPER-secret-value-123"
const API_KEY = "ak_api-key-value-456"
const REDIRECT = "https://app.example/oauth/callback"

const config = (tokenUrl: string): OAuth.Config => ({
  clientId: "kenar-app",
  clientSecret: Redacted.make(CLIENT_SECRET),
  redirectUri: REDIRECT,
  tokenUrl
})

const tokenBody = (n: number, extra: Record<string, unknown> = {}) => ({
  access_token: `at_${n}`,
  refresh_token: `rt_${n}`,
  expires_in: 3600,
  scope: "USER_POSTS_GET offline_access",
  token_type: "bearer",
  ...extra
})

/**
 * A token endpoint that rotates on each refresh: refresh token `rt_n` gives
 * `at_{n+1}`/`rt_{n+1}`; any code gives pair 1.
 */
const rotatingIssuer = (options: { readonly delayMs?: number } = {}) =>
  serve(async (request) => {
    if (options.delayMs !== undefined) await delay(options.delayMs)
    if (request.form.get("grant_type") === "authorization_code") return { status: 200, body: tokenBody(1) }
    const n = Number(request.form.get("refresh_token")?.slice(3))
    return { status: 200, body: tokenBody(n + 1) }
  })

const oauthLayer = (tokenUrl: string, options: Partial<OAuth.Options> = {}) =>
  OAuth.layer({ ...config(tokenUrl), apiKey: Redacted.make(API_KEY), ...options }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )

const tokens = (n: number, expiresAt: number, refresh = true): OAuth.TokenSet => ({
  accessToken: Redacted.make(`at_${n}`),
  refreshToken: refresh ? Redacted.make(`rt_${n}`) : undefined,
  tokenType: "bearer",
  scopes: ["USER_POSTS_GET", "offline_access"],
  expiresAt
})

const run = <A, E>(effect: Effect.Effect<A, E, never>) => Effect.runPromise(effect)
const failure = <A, E>(effect: Effect.Effect<A, E, never>) => Effect.runPromise(Effect.flip(effect))

/** Every error a test saw, checked for secrets at the end of the file. */
const seenErrors: Array<unknown> = []
const failed = async <A, E>(effect: Effect.Effect<A, E, never>) => {
  const error = await failure(effect)
  seenErrors.push(error)
  return error
}

const reveal = (value: Redacted.Redacted<string>) => Redacted.value(value)

// -----------------------------------------------------------------------------

describe("OAuth config", () => {
  it("defaults to Divar's https endpoints", () => {
    const resolved = OAuth.resolveConfig({
      clientId: "app",
      clientSecret: "s3cret-value",
      redirectUri: REDIRECT
    })
    expect(resolved.authorizeUrl).toBe("https://oauth.divar.ir/oauth2/auth")
    expect(resolved.tokenUrl).toBe("https://oauth.divar.ir/oauth2/token")
    expect(Redacted.isRedacted(resolved.clientSecret)).toBe(true)
  })

  it.each([
    ["relative", "/oauth/callback"],
    ["with a query string", "https://app.example/cb?next=/home"],
    ["with an empty query", "https://app.example/cb?"],
    ["with a fragment", "https://app.example/cb#x"],
    ["not http", "ftp://app.example/cb"]
  ])("rejects a redirectUri %s with a TypeError that names it", (_, redirectUri) => {
    const attempt = () => OAuth.resolveConfig({ clientId: "app", clientSecret: CLIENT_SECRET, redirectUri })
    expect(attempt).toThrow(TypeError)
    expect(attempt).toThrow(/redirectUri/)
    try {
      attempt()
    } catch (error) {
      expect(String(error)).not.toContain(CLIENT_SECRET)
    }
  })

  it("rejects an empty client id or secret", () => {
    expect(() => OAuth.resolveConfig({ clientId: "", clientSecret: "x", redirectUri: REDIRECT })).toThrow(
      /clientId/
    )
    expect(() => OAuth.resolveConfig({ clientId: "a", clientSecret: "", redirectUri: REDIRECT })).toThrow(
      /clientSecret/
    )
  })
})

describe("authorizationUrl", () => {
  const resolved = OAuth.resolveConfig({
    clientId: "my app",
    clientSecret: CLIENT_SECRET,
    redirectUri: "https://app.example/oauth/callback"
  })
  const state = "abcdefghijklmnop_-0123"

  it("builds the authorize URL with every parameter percent-encoded", async () => {
    const url = await run(
      OAuth.authorizationUrl(resolved, {
        scopes: ["USER_POSTS_GET", "POST_EDIT.gW4fL8Xq", "offline_access"],
        state
      })
    )
    expect(url).toBe(
      "https://oauth.divar.ir/oauth2/auth?response_type=code&client_id=my%20app" +
        "&redirect_uri=https%3A%2F%2Fapp.example%2Foauth%2Fcallback" +
        "&scope=USER_POSTS_GET%20POST_EDIT.gW4fL8Xq%20offline_access" +
        `&state=${state}`
    )
    const parsed = new URL(url)
    expect(parsed.searchParams.get("scope")).toBe("USER_POSTS_GET POST_EDIT.gW4fL8Xq offline_access")
    expect(parsed.searchParams.get("redirect_uri")).toBe("https://app.example/oauth/callback")
    expect(url).not.toContain(CLIENT_SECRET)
  })

  it("deduplicates scopes", async () => {
    const url = await run(
      OAuth.authorizationUrl(resolved, { scopes: ["USER_POSTS_GET", "USER_POSTS_GET"], state })
    )
    expect(new URL(url).searchParams.get("scope")).toBe("USER_POSTS_GET")
  })

  it("refuses a scope holding a space (it would smuggle in another scope), no scope, or a weak state", async () => {
    const spaced = await failed(
      OAuth.authorizationUrl(resolved, { scopes: ["USER_POSTS_GET DELETE_USER_POST"], state })
    )
    expect(spaced).toMatchObject({ _tag: "OAuthError", reason: "InvalidRequest" })
    const none = await failed(OAuth.authorizationUrl(resolved, { scopes: [], state }))
    const notArray = await failed(
      OAuth.authorizationUrl(resolved, { scopes: "USER_POSTS_GET" as any, state })
    )
    expect(notArray).toMatchObject({ reason: "InvalidRequest" })
    expect(none).toMatchObject({ reason: "InvalidRequest" })
    const weak = await failed(OAuth.authorizationUrl(resolved, { scopes: ["USER_POSTS_GET"], state: "1234" }))
    expect(weak).toMatchObject({ reason: "InvalidRequest" })
  })

  it("is available on the OAuthClient service", async () => {
    const url = await run(
      Effect.gen(function* () {
        const client = yield* OAuth.OAuthClient
        return yield* client.authorizationUrl({ scopes: ["USER_POSTS_GET"], state })
      }).pipe(Effect.provide(OAuth.layerClient(resolved)), Effect.provide(FetchHttpClient.layer))
    )
    expect(url.startsWith("https://oauth.divar.ir/oauth2/auth?response_type=code&client_id=my%20app&")).toBe(
      true
    )
  })
})

describe("generateState", () => {
  it("gives 43 URL-safe characters (256 bits), different every time", async () => {
    const states = await run(Effect.all(Array.from({ length: 2000 }, () => OAuth.generateState)))
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(new Set(states).size).toBe(states.length)
    // every symbol of the alphabet shows up, at a plausible rate
    const counts = new Map<string, number>()
    for (const state of states)
      for (const char of state.slice(0, 42)) counts.set(char, (counts.get(char) ?? 0) + 1)
    expect(counts.size).toBe(64)
    const expected = (2000 * 42) / 64
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(expected * 0.7)
      expect(count).toBeLessThan(expected * 1.3)
    }
  })
})

describe("verifyCallback", () => {
  const state = "Zx9_kq-3mN0pQrStUvWxYz0123456789abcdefghijk"

  it("returns the code as Redacted for an absolute URL, a path, URLSearchParams or a query object", async () => {
    const inputs: Array<OAuth.CallbackInput> = [
      `${REDIRECT}?code=c0de-1&state=${state}`,
      `/oauth/callback?code=c0de-1&state=${state}`,
      new URL(`${REDIRECT}?code=c0de-1&state=${state}`),
      new URLSearchParams({ code: "c0de-1", state }),
      { code: "c0de-1", state }
    ]
    for (const input of inputs) {
      const code = await run(OAuth.verifyCallback(input, state))
      expect(Redacted.isRedacted(code)).toBe(true)
      expect(reveal(code)).toBe("c0de-1")
      expect(String(code)).not.toContain("c0de-1")
    }
  })

  it.each([
    ["differs in the last character", `${state.slice(0, -1)}K`],
    ["differs in the first character", `a${state.slice(1)}`],
    ["is a prefix", state.slice(0, 20)],
    ["is longer", `${state}0`]
  ])("refuses a state that %s", async (_, received) => {
    const error = await failed(OAuth.verifyCallback({ code: "c0de-2", state: received }, state))
    expect(error).toMatchObject({ _tag: "OAuthError", reason: "StateMismatch" })
    expect(String(error)).not.toContain("c0de-2")
    expect(String(error)).not.toContain(state)
  })

  it("refuses a callback when no state was kept", async () => {
    const error = await failed(OAuth.verifyCallback({ code: "c0de-3", state }, undefined))
    expect(error).toMatchObject({ reason: "StateMismatch" })
  })

  it("reports a missing state or code", async () => {
    expect(await failed(OAuth.verifyCallback({ code: "c0de-4" }, state))).toMatchObject({
      reason: "MissingState"
    })
    expect(await failed(OAuth.verifyCallback({ state }, state))).toMatchObject({ reason: "MissingCode" })
    expect(await failed(OAuth.verifyCallback({ state: [state, state], code: "c" }, state))).toMatchObject({
      reason: "InvalidRequest"
    })
  })

  it("surfaces error=access_denied as a typed error", async () => {
    const error = await failed(
      OAuth.verifyCallback(
        `${REDIRECT}?error=access_denied&error_description=The+user+denied+the+request&state=${state}`,
        state
      )
    )
    expect(error).toBeInstanceOf(OAuth.OAuthError)
    expect(error).toMatchObject({
      _tag: "OAuthError",
      reason: "AuthorizationFailed",
      error: "access_denied",
      errorDescription: "The user denied the request"
    })
  })
})

describe("exchangeCode and refresh", () => {
  it("posts a form to the token endpoint and decodes a typed token set, expiry from the Clock", async () => {
    const issuer = await serve(() => ({ status: 200, body: tokenBody(1) }))
    const program = Effect.gen(function* () {
      yield* TestClock.setTime(1_000_000)
      const client = yield* OAuth.OAuthClient
      return yield* client.exchangeCode(Redacted.make("the-auth-code"))
    })
    const set = await run(
      program.pipe(
        Effect.provide(OAuth.layerClient(config(`${issuer.url}/oauth2/token`))),
        Effect.provide(FetchHttpClient.layer),
        Effect.provide(TestClock.layer())
      )
    )
    expect(reveal(set.accessToken)).toBe("at_1")
    expect(reveal(set.refreshToken!)).toBe("rt_1")
    expect(set).toMatchObject({ tokenType: "bearer", scopes: ["USER_POSTS_GET", "offline_access"] })
    expect(set.expiresAt).toBe(1_000_000 + 3_600_000)
    expect(String(set.accessToken)).not.toContain("at_1")
    expect(JSON.stringify(set)).not.toContain("at_1")

    expect(issuer.received).toHaveLength(1)
    const [request] = issuer.received
    expect(request!.method).toBe("POST")
    expect(request!.url).toBe("/oauth2/token")
    expect(request!.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/)
    expect(Object.fromEntries(request!.form)).toEqual({
      grant_type: "authorization_code",
      code: "the-auth-code",
      redirect_uri: REDIRECT,
      client_id: "kenar-app",
      client_secret: CLIENT_SECRET
    })
  })

  it("refreshes with grant_type=refresh_token and returns the rotated pair", async () => {
    const issuer = await rotatingIssuer()
    const set = await run(
      Effect.gen(function* () {
        return yield* (yield* OAuth.OAuthClient).refresh(Redacted.make("rt_7"))
      }).pipe(Effect.provide(OAuth.layerClient(config(issuer.url))), Effect.provide(FetchHttpClient.layer))
    )
    expect([reveal(set.accessToken), reveal(set.refreshToken!)]).toEqual(["at_8", "rt_8"])
    expect(Object.fromEntries(issuer.received[0]!.form)).toEqual({
      grant_type: "refresh_token",
      refresh_token: "rt_7",
      client_id: "kenar-app",
      client_secret: CLIENT_SECRET
    })
  })

  const exchange = (tokenUrl: string, code = "the-auth-code") =>
    Effect.gen(function* () {
      return yield* (yield* OAuth.OAuthClient).exchangeCode(code)
    }).pipe(Effect.provide(OAuth.layerClient(config(tokenUrl))), Effect.provide(FetchHttpClient.layer))

  it("turns an OAuth error body into a typed error, without the code or secret", async () => {
    const issuer = await serve(() => ({
      status: 400,
      body: {
        error: "invalid_grant",
        error_description: `The authorization code the-auth-code has expired (client ${CLIENT_SECRET})`
      }
    }))
    const error = await failed(exchange(issuer.url))
    expect(error).toBeInstanceOf(OAuth.OAuthError)
    expect(error).toMatchObject({ reason: "TokenEndpointError", error: "invalid_grant", httpStatus: 400 })
    expect((error as OAuth.OAuthError).errorDescription).toBe(
      "The authorization code <redacted> has expired (client <redacted>)"
    )
  })

  it("reports unreadable answers and unreachable endpoints", async () => {
    const html = await serve(() => ({ status: 502, body: "<html>bad gateway</html>" }))
    expect(await failed(exchange(html.url))).toMatchObject({ reason: "InvalidResponse", httpStatus: 502 })
    const notJson = await serve(() => ({ status: 200, body: "not json" }))
    expect(await failed(exchange(notJson.url))).toMatchObject({ reason: "InvalidResponse", httpStatus: 200 })
    const noToken = await serve(() => ({ status: 200, body: { token_type: "bearer", expires_in: 3600 } }))
    const missing = await failed(exchange(noToken.url))
    expect(missing).toMatchObject({ reason: "InvalidResponse" })
    expect((missing as OAuth.OAuthError).message).toContain("access_token")
    const mac = await serve(() => ({ status: 200, body: tokenBody(1, { token_type: "mac" }) }))
    expect(await failed(exchange(mac.url))).toMatchObject({ reason: "InvalidResponse" })
    const closed = await serve(() => ({ status: 200, body: {} }))
    const closedUrl = closed.url
    const server = servers.pop()!
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    expect(await failed(exchange(closedUrl))).toMatchObject({ reason: "Transport" })
  })

  it("refuses an empty code before any request", async () => {
    const issuer = await serve(() => ({ status: 200, body: tokenBody(1) }))
    expect(await failed(exchange(issuer.url, ""))).toMatchObject({ reason: "InvalidRequest" })
    expect(issuer.received).toHaveLength(0)
  })
})

describe("TokenManager", () => {
  const withManager = <A, E>(
    tokenUrl: string,
    body: (
      manager: OAuth.TokenManager["Service"],
      store: OAuth.TokenStore["Service"]
    ) => Effect.Effect<A, E, OAuth.OAuthClient>,
    options: Partial<OAuth.Options> = {}
  ) =>
    Effect.gen(function* () {
      return yield* body(yield* OAuth.TokenManager, yield* OAuth.TokenStore)
    }).pipe(Effect.provide(oauthLayer(tokenUrl, options)))

  it("fails with NoTokens when the user never signed in", async () => {
    const issuer = await rotatingIssuer()
    const error = await failed(withManager(issuer.url, (manager) => manager.getAccessToken("nobody")))
    expect(error).toMatchObject({ reason: "NoTokens" })
  })

  it("returns a fresh token without a request, and refreshes an expired one storing the rotated pair", async () => {
    const issuer = await rotatingIssuer()
    const result = await run(
      withManager(issuer.url, (manager, store) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(1, Date.now() + 3_600_000), "fresh")
          const fresh = yield* manager.getAccessToken("fresh")
          yield* manager.save(tokens(1, Date.now() - 1000), "expired")
          const renewed = yield* manager.getAccessToken("expired")
          const stored = yield* store.get("expired")
          return { fresh, renewed, stored }
        })
      )
    )
    expect(reveal(result.fresh)).toBe("at_1")
    expect(reveal(result.renewed)).toBe("at_2")
    expect(reveal(result.stored!.refreshToken!)).toBe("rt_2")
    expect(result.stored!.expiresAt).toBeGreaterThan(Date.now() + 3_500_000)
    expect(issuer.received.map((r) => r.form.get("refresh_token"))).toEqual(["rt_1"])
  })

  it("keeps the old refresh token and scopes when the answer has none", async () => {
    const issuer = await serve(() => ({
      status: 200,
      body: { access_token: "at_new", expires_in: 3600, token_type: "Bearer" }
    }))
    const stored = await run(
      withManager(issuer.url, (manager, store) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(1, Date.now() - 1000))
          yield* manager.getAccessToken()
          return yield* store.get("default")
        })
      )
    )
    expect(reveal(stored!.accessToken)).toBe("at_new")
    expect(reveal(stored!.refreshToken!)).toBe("rt_1")
    expect(stored!.scopes).toEqual(["USER_POSTS_GET", "offline_access"])
  })

  it("single flight: 100 concurrent callers with an expired token cause exactly one refresh", async () => {
    const issuer = await rotatingIssuer({ delayMs: 50 })
    const results = await run(
      withManager(issuer.url, (manager) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(1, Date.now() - 1000), "user-1")
          return yield* Effect.all(
            Array.from({ length: 100 }, () => manager.getAccessToken("user-1")),
            { concurrency: "unbounded" }
          )
        })
      )
    )
    expect(issuer.received).toHaveLength(1)
    expect(new Set(results.map(reveal))).toEqual(new Set(["at_2"]))
  })

  it("refreshes per user, one flight each", async () => {
    const issuer = await rotatingIssuer({ delayMs: 30 })
    const results = await run(
      withManager(issuer.url, (manager) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(1, Date.now() - 1000), "a")
          yield* manager.save(tokens(5, Date.now() - 1000), "b")
          return yield* Effect.all(
            Array.from({ length: 20 }, (_, i) => manager.getAccessToken(i % 2 === 0 ? "a" : "b")),
            { concurrency: "unbounded" }
          )
        })
      )
    )
    expect(issuer.received).toHaveLength(2)
    expect(new Set(results.map(reveal))).toEqual(new Set(["at_2", "at_6"]))
  })

  it("refreshes ahead of expiry (default skew 60 s), driven by the TestClock", async () => {
    const issuer = await rotatingIssuer()
    const program = withManager(issuer.url, (manager) =>
      Effect.gen(function* () {
        const client = yield* OAuth.OAuthClient
        yield* manager.save(yield* client.exchangeCode("code"))
        yield* TestClock.adjust("3539 seconds")
        const early = yield* manager.getAccessToken()
        const requestsBefore = issuer.received.length
        yield* TestClock.adjust("2 seconds")
        const ahead = yield* manager.getAccessToken()
        return { early, requestsBefore, ahead }
      })
    )
    const result = await run(program.pipe(Effect.provide(TestClock.layer())))
    expect(reveal(result.early)).toBe("at_1")
    expect(result.requestsBefore).toBe(1)
    expect(reveal(result.ahead)).toBe("at_2")
    expect(issuer.received.map((r) => r.form.get("grant_type"))).toEqual([
      "authorization_code",
      "refresh_token"
    ])
  })

  it("honours a custom skew", async () => {
    const issuer = await rotatingIssuer()
    const program = withManager(
      issuer.url,
      (manager) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(1, 3_600_000))
          yield* TestClock.adjust("3000 seconds")
          return yield* manager.getAccessToken()
        }),
      { refreshSkew: "10 minutes" }
    )
    expect(reveal(await run(program.pipe(Effect.provide(TestClock.layer()))))).toBe("at_2")
  })

  it("uses the still-valid token when a refresh ahead of expiry fails", async () => {
    const issuer = await serve(() => ({ status: 503, body: "unavailable" }))
    const program = withManager(issuer.url, (manager) =>
      Effect.gen(function* () {
        yield* manager.save(tokens(1, 3_600_000))
        yield* TestClock.adjust("3570 seconds")
        const stillValid = yield* manager.getAccessToken()
        yield* TestClock.adjust("31 seconds")
        const expired = yield* Effect.flip(manager.getAccessToken())
        return { stillValid, expired }
      })
    )
    const result = await run(program.pipe(Effect.provide(TestClock.layer())))
    expect(reveal(result.stillValid)).toBe("at_1")
    expect(result.expired).toMatchObject({ reason: "InvalidResponse", httpStatus: 503 })
    expect(issuer.received).toHaveLength(2)
  })

  it("fails with NoRefreshToken once a token without offline_access expires", async () => {
    const issuer = await rotatingIssuer()
    const error = await failed(
      withManager(issuer.url, (manager) =>
        Effect.flatMap(manager.save(tokens(1, Date.now() - 1, false)), () => manager.getAccessToken())
      )
    )
    expect(error).toMatchObject({ reason: "NoRefreshToken" })
    expect(issuer.received).toHaveLength(0)
  })

  it("grace window: on invalid_grant, uses the newer pair another refresher stored", async () => {
    let store: OAuth.TokenStore["Service"] | undefined
    const issuer = await serve(async () => {
      // Another instance refreshed first and stored pair 2; the old refresh token is now refused.
      await Effect.runPromise(store!.set("shared", tokens(2, Date.now() + 3_600_000)))
      return { status: 400, body: { error: "invalid_grant", error_description: "refresh token was rotated" } }
    })
    const token = await run(
      withManager(issuer.url, (manager, s) =>
        Effect.gen(function* () {
          store = s
          yield* manager.save(tokens(1, Date.now() - 1000), "shared")
          return yield* manager.getAccessToken("shared")
        })
      )
    )
    expect(reveal(token)).toBe("at_2")
    expect(issuer.received).toHaveLength(1)
  })

  it("forceRefresh returns the stored token without a request when the rejected one was already replaced", async () => {
    const issuer = await rotatingIssuer()
    const token = await run(
      withManager(issuer.url, (manager) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(1, Date.now() + 3_600_000), "u")
          // Kenar rejected at_0; meanwhile another caller stored at_1.
          const set = yield* manager.forceRefresh({ key: "u", rejected: Redacted.make("at_0") })
          return set.accessToken
        })
      )
    )
    expect(reveal(token)).toBe("at_1")
    expect(issuer.received).toHaveLength(0)
  })

  it("fails with invalid_grant when no newer pair exists", async () => {
    const issuer = await serve(() => ({ status: 400, body: { error: "invalid_grant" } }))
    const error = await failed(
      withManager(issuer.url, (manager) =>
        Effect.flatMap(manager.save(tokens(1, Date.now() - 1000)), () => manager.getAccessToken())
      )
    )
    expect(error).toMatchObject({ _tag: "OAuthError", reason: "TokenEndpointError", error: "invalid_grant" })
  })

  it("forceRefresh refreshes a token that has not expired", async () => {
    const issuer = await rotatingIssuer()
    const set = await run(
      withManager(issuer.url, (manager) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(3, Date.now() + 3_600_000))
          return yield* manager.forceRefresh({ rejected: Redacted.make("at_3") })
        })
      )
    )
    expect(reveal(set.accessToken)).toBe("at_4")
    expect(issuer.received).toHaveLength(1)
  })

  it("a caller interrupted during a refresh does not cancel it for the others", async () => {
    const issuer = await rotatingIssuer({ delayMs: 100 })
    const token = await run(
      withManager(issuer.url, (manager) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(1, Date.now() - 1000))
          const first = yield* Effect.forkChild(manager.getAccessToken())
          yield* Effect.sleep("20 millis")
          const second = yield* Effect.forkChild(manager.getAccessToken())
          yield* Effect.sleep("20 millis")
          yield* Fiber.interrupt(first)
          return yield* Fiber.join(second)
        })
      )
    )
    expect(reveal(token)).toBe("at_2")
    expect(issuer.received).toHaveLength(1)
  })

  it("reads the user from withTokenKey", async () => {
    const issuer = await rotatingIssuer()
    const token = await run(
      withManager(issuer.url, (manager) =>
        Effect.gen(function* () {
          yield* manager.save(tokens(1, Date.now() + 3_600_000), "alice")
          yield* manager.save(tokens(7, Date.now() + 3_600_000), "bob")
          return yield* manager.getAccessToken().pipe(OAuth.withTokenKey("bob"))
        })
      )
    )
    expect(reveal(token)).toBe("at_7")
  })
})

describe("KenarAuth over OAuth", () => {
  /** Kenar: 401 UNAUTHENTICATED for the first call of each path, then 200 `{}`. */
  const kenar = () => {
    const seen = new Set<string>()
    return serve((request) => {
      const path = request.url
      if (!seen.has(path)) {
        seen.add(path)
        return { status: 401, body: { code: 16, message: "token is expired", details: [] } }
      }
      return { status: 200, body: {} }
    })
  }

  const clientLayer = (apiUrl: string, tokenUrl: string, options: Partial<OAuth.Options> = {}) =>
    KenarClient.layer({ baseUrl: apiUrl }).pipe(
      Layer.provideMerge(OAuth.layer({ ...config(tokenUrl), apiKey: API_KEY, ...options })),
      Layer.provide(FetchHttpClient.layer)
    )

  it("sends the API key and the bearer token, and retries once with a refreshed token on UNAUTHENTICATED", async () => {
    const api = await kenar()
    const issuer = await rotatingIssuer()
    const result = await run(
      Effect.gen(function* () {
        yield* (yield* OAuth.TokenManager).save(tokens(1, Date.now() + 3_600_000), "user-9")
        return yield* Posts.deleteUserPost({ post_token: "gW4fL8Xq" }).pipe(OAuth.withTokenKey("user-9"))
      }).pipe(Effect.provide(clientLayer(api.url, issuer.url)))
    )
    expect(result).toEqual({})
    expect(
      api.received.map((r) => [r.method, r.url, r.headers.authorization, r.headers["x-api-key"]])
    ).toEqual([
      ["DELETE", "/v1/open-platform/post/gW4fL8Xq", "Bearer at_1", API_KEY],
      ["DELETE", "/v1/open-platform/post/gW4fL8Xq", "Bearer at_2", API_KEY]
    ])
    expect(issuer.received).toHaveLength(1)
  })

  it("does not retry when the refresh fails", async () => {
    const api = await kenar()
    const issuer = await serve(() => ({ status: 400, body: { error: "invalid_grant" } }))
    const error = await failed(
      Effect.gen(function* () {
        yield* (yield* OAuth.TokenManager).save(tokens(1, Date.now() + 3_600_000))
        return yield* Posts.deleteUserPost({ post_token: "gW4fL8Xq" })
      }).pipe(Effect.provide(clientLayer(api.url, issuer.url)))
    )
    expect(error).toMatchObject({ _tag: "UnauthenticatedError" })
    expect(api.received).toHaveLength(1)
    expect(issuer.received).toHaveLength(1)
  })

  it("does not refresh for API-key-only operations (the API key is at fault)", async () => {
    const api = await kenar()
    const issuer = await rotatingIssuer()
    const error = await failed(Posts.getUploadUrls().pipe(Effect.provide(clientLayer(api.url, issuer.url))))
    expect(error).toMatchObject({ _tag: "UnauthenticatedError" })
    expect(api.received).toHaveLength(1)
    expect(api.received[0]!.headers.authorization).toBeUndefined()
    expect(api.received[0]!.headers["x-api-key"]).toBe(API_KEY)
    expect(issuer.received).toHaveLength(0)
  })

  it("fails with a CredentialError before sending when the user has no tokens or there is no API key", async () => {
    const api = await kenar()
    const issuer = await rotatingIssuer()
    const noTokens = await failed(
      Posts.getUserPost({ token: "AaEB0vbO" }).pipe(Effect.provide(clientLayer(api.url, issuer.url)))
    )
    expect(noTokens).toMatchObject({ _tag: "CredentialError", credential: "accessToken" })
    expect((noTokens as Error).message).toContain("USER_POSTS_GET")
    const noKey = await failed(
      Posts.getUploadUrls().pipe(Effect.provide(clientLayer(api.url, issuer.url, { apiKey: undefined })))
    )
    expect(noKey).toMatchObject({ _tag: "CredentialError", credential: "apiKey" })
    expect(api.received).toHaveLength(0)
  })

  it("a token given per call wins and is not refreshed", async () => {
    const api = await kenar()
    const issuer = await rotatingIssuer()
    const error = await failed(
      Posts.getUserPost({ token: "AaEB0vbO" }, { accessToken: "per-call-token" }).pipe(
        Effect.provide(clientLayer(api.url, issuer.url))
      )
    )
    expect(error).toMatchObject({ _tag: "UnauthenticatedError" })
    expect(api.received.map((r) => r.headers.authorization)).toEqual(["Bearer per-call-token"])
    expect(issuer.received).toHaveLength(0)
  })
})

describe("secrets", () => {
  it("never appear in an error's String, JSON or message", async () => {
    const secrets = [
      CLIENT_SECRET,
      API_KEY,
      "the-auth-code",
      "c0de-1",
      "c0de-2",
      "c0de-3",
      "at_1",
      "rt_1",
      "rt_7"
    ]
    expect(seenErrors.length).toBeGreaterThan(20)
    for (const error of seenErrors) {
      const texts = [
        String(error),
        JSON.stringify(error),
        (error as Error).message,
        (error as Error).stack ?? ""
      ]
      for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret)
    }
  })
})
