import { inspect } from "node:util"
import type { KenarClient } from "@kenar/core"
import { KenarAuth, KenarError, OAuth, Posts } from "@kenar/core"
import { KenarSimulator } from "@kenar/testing"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { afterEach, describe, expect, it } from "vitest"
import { NodeHttpClient, NodeKenarClient, NodeOAuth } from "../src/index.js"
import { closedPort, respondJson, startServer, type TestServer } from "./utils/server.js"

const API_KEY = "sk-live-DO-NOT-LEAK-4f1d2c"
const TOKEN = "oauth-access-DO-NOT-LEAK-9e8d"

const servers: Array<TestServer> = []
const serve = async (...args: Parameters<typeof startServer>) => {
  const server = await startServer(...args)
  servers.push(server)
  return server
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const post = {
  general_data: {
    category_slug: "light",
    title: "پراید ۱۳۹۰",
    description: "تمیز",
    images: [],
    city: "tehran",
    district: "vanak",
    latitude: 35.7,
    longitude: 51.4,
    location_type: "LOCATION_TYPE_APPROXIMATE",
    hide_phone: false,
    chat_enabled: true
  },
  category_data: { usage: "1000" },
  state: "POST_STATE_PUBLISHED",
  reject_reason: ""
}

/** A Kenar-like server: GetUserPost answers `post`, anything else `{}`. */
const kenar = () =>
  serve((request, response) => {
    if (request.method === "GET" && request.url?.startsWith("/v1/open-platform/user-post/")) {
      return respondJson(response, 200, post, { "x-request-id": "req-1" })
    }
    respondJson(response, 200, {})
  })

const env = (values: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromUnknown(values))

const run = <A, E, E2>(
  effect: Effect.Effect<A, E, KenarClient.KenarClient>,
  layer: Layer.Layer<KenarClient.KenarClient, E2>
) => Effect.runPromiseExit(Effect.provide(effect, layer))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") throw new Error(`expected a Fail reason: ${exit.cause}`)
  return reason.error
}

const expectNoSecret = (error: unknown) => {
  const renderings = [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? "",
    JSON.stringify(error),
    inspect(error, { depth: 10 })
  ]
  for (const text of renderings) {
    expect(text).not.toContain(API_KEY)
    expect(text).not.toContain(TOKEN)
  }
}

describe("NodeKenarClient.layer", () => {
  it("reads KENAR_API_KEY and KENAR_BASE_URL through Config and sends the credentials and User-Agent", async () => {
    const server = await kenar()
    const layer = NodeKenarClient.layer({ accessToken: TOKEN }).pipe(
      Layer.provide(env({ KENAR_API_KEY: API_KEY, KENAR_BASE_URL: server.url }))
    )
    const exit = await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer)
    expect(Exit.isSuccess(exit) && exit.value.general_data.title).toBe("پراید ۱۳۹۰")
    const seen = server.seen[0]!
    expect(seen.method).toBe("GET")
    expect(seen.url).toBe("/v1/open-platform/user-post/AaEB0vbO")
    expect(seen.headers["x-api-key"]).toBe(API_KEY)
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(seen.headers.accept).toBe("application/json")
    expect(seen.headers["user-agent"]).toBe(`kenar-ts/0.1.0 (@kenar/node; node/${process.version})`)
    expect(NodeKenarClient.USER_AGENT).toMatch(
      /^kenar-ts\/\d+\.\d+\.\d+ \(@kenar\/node; node\/v\d+\.\d+\.\d+\)$/
    )
  })

  it("prefers options over the environment, and takes a token function", async () => {
    const server = await kenar()
    let asked = 0
    const layer = NodeKenarClient.layer({
      apiKey: "from-options",
      baseUrl: server.url,
      userAgent: "my-app/1.0",
      accessToken: async () => {
        asked++
        return "fresh-token"
      }
    }).pipe(Layer.provide(env({ KENAR_API_KEY: "from-env", KENAR_BASE_URL: "http://127.0.0.1:1" })))
    const exit = await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer)
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(server.seen[0]!.headers["x-api-key"]).toBe("from-options")
    expect(server.seen[0]!.headers.authorization).toBe("Bearer fresh-token")
    expect(server.seen[0]!.headers["user-agent"]).toBe("my-app/1.0")
    expect(asked).toBe(1)
  })

  it("sends GET, POST, PUT and DELETE calls with JSON bodies over one pool", async () => {
    const server = await kenar()
    const layer = NodeKenarClient.layer({ apiKey: API_KEY, accessToken: TOKEN, baseUrl: server.url })
    const button = { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com/x" } } as const
    const exit = await run(
      Effect.gen(function* () {
        yield* Posts.getUserPost({ token: "AaEB0vbO" })
        yield* Posts.setPostCustomizedButton({ post_token: "AaEB0vbO", customized_button: button })
        yield* Posts.editPost({ post_token: "AaEB0vbO", title: "عنوان تازه", description: "توضیح" })
        yield* Posts.deleteUserPost({ post_token: "AaEB0vbO" })
      }),
      layer
    )
    if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /v1/open-platform/user-post/AaEB0vbO",
      "POST /experimental/open-platform/posts/AaEB0vbO/customized-button",
      "PUT /v1/open-platform/post/AaEB0vbO",
      "DELETE /v1/open-platform/post/AaEB0vbO"
    ])
    const [, set, edit, del] = server.seen
    expect(set!.headers["content-type"]).toBe("application/json")
    expect(JSON.parse(set!.body.toString()).customized_button.type).toBe("ONLINE_CALL")
    expect(JSON.parse(edit!.body.toString())).toMatchObject({ title: "عنوان تازه", description: "توضیح" })
    expect(del!.body.length).toBe(0)
    expect(server.connections()).toBeLessThanOrEqual(2)
  })

  it("a refused connection is a TransportError that provably did not reach the server", async () => {
    const port = await closedPort()
    const layer = NodeKenarClient.layer({
      apiKey: API_KEY,
      accessToken: TOKEN,
      baseUrl: `http://127.0.0.1:${port}`,
      retry: false
    })
    const error = failureOf(await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer))
    expect(error).toBeInstanceOf(KenarError.TransportError)
    expect(error).toMatchObject({ reason: "ConnectionRefused", mayHaveReachedServer: false })
    expectNoSecret(error)
  })

  it("a reset after the request was sent is a TransportError that may have reached the server", async () => {
    const server = await serve((request) => request.socket.destroy())
    const layer = NodeKenarClient.layer({
      apiKey: API_KEY,
      accessToken: TOKEN,
      baseUrl: server.url,
      retry: false
    })
    const error = failureOf(await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer))
    expect(error).toBeInstanceOf(KenarError.TransportError)
    expect(error).toMatchObject({ reason: "ConnectionReset", mayHaveReachedServer: true })
    expect(server.seen).toHaveLength(1)
    expectNoSecret(error)
  })

  it("the per-attempt timeout aborts the request in flight: the server sees the socket close", async () => {
    const server = await serve(() => {}, { raw: true })
    const layer = NodeKenarClient.layer({
      apiKey: API_KEY,
      accessToken: TOKEN,
      baseUrl: server.url,
      timeout: "150 millis",
      retry: false
    })
    const started = Date.now()
    const error = failureOf(await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer))
    expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout", mayHaveReachedServer: true })
    expect(Date.now() - started).toBeLessThan(2000)
    await server.waitClosed(1)
    expect(server.closed()).toBe(1)
    expectNoSecret(error)
  })

  it("without an API key the layer builds, and each call fails with a CredentialError before sending", async () => {
    const server = await kenar()
    const layer = NodeKenarClient.layer({ baseUrl: server.url, accessToken: TOKEN }).pipe(
      Layer.provide(env({}))
    )
    const error = failureOf(await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer))
    expect(error).toBeInstanceOf(KenarError.CredentialError)
    expect(error).toMatchObject({ credential: "apiKey" })
    expect(server.seen).toHaveLength(0)
  })

  it("an invalid KENAR_BASE_URL fails the layer with a ConfigError; invalid options throw at once", async () => {
    const layer = NodeKenarClient.layer({ apiKey: API_KEY }).pipe(
      Layer.provide(env({ KENAR_BASE_URL: "ftp://example.com" }))
    )
    const error = failureOf(await run(Posts.getUploadUrls(), layer))
    expect(error).toBeInstanceOf(Config.ConfigError)
    expect(String((error as Config.ConfigError).message)).toContain("KENAR_BASE_URL")
    expect(() => NodeKenarClient.layer({ baseUrl: "not a url" })).toThrow(TypeError)
    expect(() => NodeKenarClient.layer({ timeout: -1 })).toThrow(/timeout/)
  })

  it("API errors, decode errors and credential errors never carry the key or the token", async () => {
    const server = await serve((request, response) => {
      if (request.url?.includes("unauth")) {
        return respondJson(response, 401, { code: 16, message: "bad key", details: [] })
      }
      respondJson(response, 200, { general_data: "not an object" })
    })
    const layer = NodeKenarClient.layer({
      apiKey: API_KEY,
      accessToken: TOKEN,
      baseUrl: server.url,
      retry: false
    })
    const unauthenticated = failureOf(await run(Posts.getUserPost({ token: "unauth" }), layer))
    expect(unauthenticated).toBeInstanceOf(KenarError.UnauthenticatedError)
    expectNoSecret(unauthenticated)
    const mismatch = failureOf(await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer))
    expect(mismatch).toBeInstanceOf(KenarError.ResponseError)
    expectNoSecret(mismatch)
    const noToken = failureOf(
      await run(
        Posts.getUserPost({ token: "AaEB0vbO" }),
        NodeKenarClient.layer({ apiKey: API_KEY, baseUrl: server.url })
      )
    )
    expect(noToken).toMatchObject({ _tag: "CredentialError", credential: "accessToken" })
    expectNoSecret(noToken)
  })
})

describe("NodeKenarClient.layerConfig", () => {
  it("reads the API key from the given Config, and fails the layer when it is missing", async () => {
    const server = await kenar()
    const layer = NodeKenarClient.layerConfig({
      apiKey: Config.Redacted("MY_KENAR_KEY"),
      accessToken: TOKEN
    }).pipe(Layer.provide(env({ MY_KENAR_KEY: API_KEY, KENAR_BASE_URL: server.url })))
    const exit = await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer)
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(server.seen[0]!.headers["x-api-key"]).toBe(API_KEY)

    const missing = failureOf(
      await run(
        Posts.getUserPost({ token: "AaEB0vbO" }),
        NodeKenarClient.layerConfig().pipe(Layer.provide(env({})))
      )
    )
    expect(missing).toBeInstanceOf(Config.ConfigError)
    expectNoSecret(missing)
  })
})

describe("NodeKenarClient.makePromise", () => {
  it("runs calls as Promises over the same transport", async () => {
    const server = await kenar()
    const client = NodeKenarClient.makePromise({ apiKey: API_KEY, accessToken: TOKEN, baseUrl: server.url })
    try {
      const result = await client.getUserPost({ token: "AaEB0vbO" })
      expect(result.state).toBe("POST_STATE_PUBLISHED")
      await client.deleteUserPost({ post_token: "AaEB0vbO" })
      expect(server.seen.map((s) => s.method)).toEqual(["GET", "DELETE"])
    } finally {
      await client.dispose()
    }
  })

  it("constructing never throws without a key; calls reject with a CredentialError", async () => {
    const client = NodeKenarClient.makePromise({ apiKey: "", baseUrl: "http://127.0.0.1:1" })
    try {
      await expect(client.getUploadUrls()).rejects.toBeInstanceOf(KenarError.CredentialError)
    } finally {
      await client.dispose()
    }
  })

  it("an AbortSignal rejects the call with AbortedError and aborts the request", async () => {
    const server = await serve(() => {}, { raw: true })
    const client = NodeKenarClient.makePromise({ apiKey: API_KEY, accessToken: TOKEN, baseUrl: server.url })
    try {
      const controller = new AbortController()
      const pending = client.getUserPost({ token: "AaEB0vbO" }, { signal: controller.signal })
      await server.waitRequests(1)
      controller.abort()
      const error = await pending.then(
        () => {
          throw new Error("expected a rejection")
        },
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(KenarError.AbortedError)
      expectNoSecret(error)
      await server.waitClosed(1)
      expect(server.closed()).toBe(1)
    } finally {
      await client.dispose()
    }
  })

  it("once warm, an AbortSignal still cancels the call and aborts its request", async () => {
    let answered = 0
    const server = await serve((_request, response) => {
      // the first call is answered (it builds the client), the second never
      if (answered++ === 0) respondJson(response, 200, post)
    })
    const client = NodeKenarClient.makePromise({ apiKey: API_KEY, accessToken: TOKEN, baseUrl: server.url })
    try {
      await client.getUserPost({ token: "AaEB0vbO" })
      const controller = new AbortController()
      const pending = client.getUserPost({ token: "AaEB0vbO" }, { signal: controller.signal })
      await server.waitRequests(2)
      controller.abort()
      await expect(pending).rejects.toBeInstanceOf(KenarError.AbortedError)
      await server.waitClosed(1)
      expect(server.closed()).toBe(1)
    } finally {
      await client.dispose()
    }
  })

  it("dispose interrupts the calls in flight (they reject with AbortedError) and later calls fail", async () => {
    let answered = 0
    const server = await serve((_request, response) => {
      if (answered++ === 0) respondJson(response, 200, post)
    })
    const client = NodeKenarClient.makePromise({ apiKey: API_KEY, accessToken: TOKEN, baseUrl: server.url })
    await client.getUserPost({ token: "AaEB0vbO" })
    const pending = [
      client.getUserPost({ token: "AaEB0vbO" }),
      client.getUserPost({ token: "AaEB0vbO" })
    ].map((call) =>
      call.then(
        () => "answered",
        (error: unknown) => error
      )
    )
    await server.waitRequests(3)
    await client.dispose()
    for (const outcome of await Promise.all(pending)) expect(outcome).toBeInstanceOf(KenarError.AbortedError)
    await server.waitClosed(2)
    await expect(client.getUserPost({ token: "AaEB0vbO" })).rejects.toBeDefined()
    expect(server.seen).toHaveLength(3)
  })

  it("rejections are the same tagged errors, without secrets", async () => {
    const port = await closedPort()
    const client = NodeKenarClient.makePromise({
      apiKey: API_KEY,
      accessToken: TOKEN,
      baseUrl: `http://127.0.0.1:${port}`,
      retry: false
    })
    try {
      const error = await client.getUserPost({ token: "AaEB0vbO" }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KenarError.TransportError)
      expect(error).toMatchObject({ mayHaveReachedServer: false })
      expectNoSecret(error)
    } finally {
      await client.dispose()
    }
  })
})

describe("NodeKenarClient with an auth layer (auth option)", () => {
  const REDIRECT_URI = "http://127.0.0.1:5173/oauth/callback"

  /**
   * The simulator behind a counting front server (every request records the
   * connection it came on), alice signed in with auto-approval, and a clock
   * the test can move ahead of the SDK's.
   */
  const oauthWorld = async () => {
    const offset = { millis: 0 }
    const sim = KenarSimulator.make({ now: () => Date.now() + offset.millis })
    const user = sim.addUser({ id: "alice" })
    const client = sim.addOAuthClient({ clientId: "node-client-app", redirectUris: [REDIRECT_URI] })
    sim.oauth.autoApprove = true
    const post = sim.addPost({ owner: user, general_data: { title: "پراید ۱۳۹۰" } })
    const front = await serve((request, response, body) => {
      const headers = new Headers()
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === "string") headers.set(name, value)
      }
      sim
        .handler(
          new Request(`http://127.0.0.1${request.url}`, {
            method: request.method!,
            headers,
            ...(body.length === 0 ? {} : { body: new Uint8Array(body) })
          })
        )
        .then(async (answer) => {
          const bytes = Buffer.from(await answer.arrayBuffer())
          response.writeHead(answer.status, {
            "content-type": answer.headers.get("content-type") ?? "application/json",
            "content-length": bytes.length
          })
          response.end(bytes)
        })
    })
    const settings = {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri: REDIRECT_URI,
      authorizeUrl: `${front.url}/oauth2/auth`,
      tokenUrl: `${front.url}/oauth2/token`,
      apiKey: client.apiKey
    }
    /** Sign-in: the authorization URL answered at once (auto-approval), then the callback. */
    const signIn = Effect.gen(function* () {
      const started = yield* NodeOAuth.start({ scopes: ["USER_POSTS_GET", "offline_access"] })
      const answer = yield* Effect.promise(() => sim.handler(new Request(started.url)))
      return yield* NodeOAuth.callback(answer.headers.get("location")!, started.state)
    })
    return { sim, front, post, settings, offset, signIn }
  }

  it("builds the auth layer over the client's own pool: Kenar and the token endpoint share one connection", async () => {
    const world = await oauthWorld()
    // one connection per origin and pool: a second pool would need a second connection
    const layer = NodeKenarClient.layer({
      baseUrl: world.front.url,
      http: { connections: 1 },
      auth: OAuth.layer(world.settings)
    })
    const titles = await Effect.runPromise(
      Effect.gen(function* () {
        yield* world.signIn
        const first = yield* Posts.getUserPost({ token: world.post })
        // Kenar's clock runs an hour ahead: the token is rejected, refreshed once, the call retried once
        world.offset.millis = 3601_000
        const second = yield* Posts.getUserPost({ token: world.post })
        // the TokenManager is provided by the same layer
        const tokens = yield* (yield* OAuth.TokenManager).getTokens()
        expect(tokens.scopes).toEqual(["USER_POSTS_GET", "offline_access"])
        return [first.general_data.title, second.general_data.title]
      }).pipe(Effect.provide(layer))
    )
    expect(titles).toEqual(["پراید ۱۳۹۰", "پراید ۱۳۹۰"])
    expect(world.front.seen.map((seen) => [seen.method, seen.url.split("/")[1], seen.connection])).toEqual([
      ["POST", "oauth2", 1], // code exchange
      ["GET", "v1", 1], // getUserPost
      ["GET", "v1", 1], // getUserPost: 401
      ["POST", "oauth2", 1], // refresh
      ["GET", "v1", 1] // the retry
    ])
    expect(world.front.connections()).toBe(1)
    expect(world.sim.oauth.stats().token).toMatchObject({ authorization_code: 1, refresh_token: 1 })
    // the user agent of the API calls is the Node client's
    expect(world.front.seen[1]!.headers["user-agent"]).toBe(NodeKenarClient.USER_AGENT)
  })

  it("(for comparison) an OAuth layer with a transport of its own opens a second pool", async () => {
    const world = await oauthWorld()
    // two layer values (one value provided twice would be built once: Layer memoizes by reference)
    const pool = () => NodeHttpClient.layerWith({ connections: 1, lean: true })
    const layer = NodeKenarClient.layerWithoutHttpClient({
      baseUrl: world.front.url,
      auth: OAuth.layer(world.settings).pipe(Layer.provide(pool()))
    }).pipe(Layer.provide(pool()))
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* world.signIn
        yield* Posts.getUserPost({ token: world.post })
      }).pipe(Effect.provide(layer))
    )
    expect(world.front.seen.map((seen) => seen.connection)).toEqual([1, 2])
    expect(world.front.connections()).toBe(2)
  })

  it("the accessToken option reads the token but cannot refresh on UNAUTHENTICATED; auth can", async () => {
    const world = await oauthWorld()
    const store = OAuth.makeMemoryStore()
    const oauth = OAuth.layer({ ...world.settings, store })
    // sign in once through the OAuth layer to fill the store
    await Effect.runPromise(
      Effect.asVoid(world.signIn).pipe(Effect.provide(Layer.provide(oauth, NodeHttpClient.layer)))
    )
    world.offset.millis = 3601_000
    const tokenOnly = NodeKenarClient.makePromise({
      baseUrl: world.front.url,
      apiKey: world.settings.apiKey,
      accessToken: () => Effect.map(store.get("default"), (tokens) => tokens?.accessToken)
    })
    const withAuth = NodeKenarClient.makePromise({ baseUrl: world.front.url, auth: oauth })
    try {
      await expect(tokenOnly.getUserPost({ token: world.post })).rejects.toBeInstanceOf(
        KenarError.UnauthenticatedError
      )
      expect(world.sim.oauth.stats().token.refresh_token).toBe(0)
      const post = await withAuth.getUserPost({ token: world.post })
      expect(post.general_data.title).toBe("پراید ۱۳۹۰")
      expect(world.sim.oauth.stats().token.refresh_token).toBe(1)
    } finally {
      await Promise.all([tokenOnly.dispose(), withAuth.dispose()])
    }
  })

  it("refuses apiKey or accessToken beside auth, and an auth that is not a layer, with a TypeError at once", () => {
    const auth = KenarAuth.layer({ apiKey: API_KEY })
    const thrown = (build: () => unknown) => {
      try {
        build()
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError)
        expectNoSecret(error)
        return (error as TypeError).message
      }
      throw new Error("expected a TypeError")
    }
    // (the types refuse these too; the casts play an untyped caller)
    expect(thrown(() => NodeKenarClient.layer({ auth, apiKey: API_KEY } as never))).toMatch(
      /apiKey cannot be given with auth/
    )
    expect(
      thrown(() => NodeKenarClient.makePromise({ auth, accessToken: TOKEN, apiKey: API_KEY } as never))
    ).toMatch(/apiKey and accessToken cannot be given with auth/)
    expect(
      thrown(() => NodeKenarClient.layer({ auth: KenarAuth.make({ apiKey: API_KEY }) } as never))
    ).toMatch(/auth must be a Layer/)
  })

  it("a plain KenarAuth layer works too: the client sends what it adds", async () => {
    const server = await kenar()
    const layer = NodeKenarClient.layer({
      baseUrl: server.url,
      auth: KenarAuth.layer({ apiKey: API_KEY, accessToken: TOKEN })
    })
    const exit = await run(Posts.getUserPost({ token: "AaEB0vbO" }), layer)
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(server.seen[0]!.headers["x-api-key"]).toBe(API_KEY)
    expect(server.seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })
})
