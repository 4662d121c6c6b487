/**
 * OAuth end to end over real HTTP on 127.0.0.1, through the SDK's public API
 * only, against the simulator's authorization server: the consent page
 * (GET the authorization URL, find the approve form, POST it, follow the 302
 * to the redirect URI), the callback's state check, the code exchange, an
 * OAuth-protected call with the token, expiry, refresh ahead of expiry,
 * rotation with its grace window, single-flight refresh under 100
 * concurrent calls, and refresh-and-retry after UNAUTHENTICATED.
 *
 * Time is driven, not waited for: the SDK runs on a `TestClock` and the
 * simulator on a clock of its own (`make({ now })`), advanced together, or
 * the simulator's alone to play a Kenar whose clock is ahead of the app's.
 * Calls run without the retry policy (`retry: false`) so that every request
 * counted is one the SDK decided to send (and no backoff sleeps on the test
 * clock); the refresh-and-retry after UNAUTHENTICATED is not a policy retry.
 */
import { KenarAuth, KenarClient, KenarError, OAuth, OAuthScope, Posts } from "@kenar/core"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { afterEach, describe, expect, it } from "vitest"
import * as NodeHttpClient from "../src/NodeHttpClient.js"
import * as NodeKenarClient from "../src/NodeKenarClient.js"
import * as NodeOAuth from "../src/NodeOAuth.js"

const START = Date.parse("2026-11-27T10:00:00Z")
/** Access tokens live 10 minutes here (Divar: an hour), the old pair 2 minutes after a rotation. */
const LIFETIME_SECONDS = 600
const GRACE_SECONDS = 120
/** The SDK refreshes 5 minutes ahead of expiry. */
const SKEW_SECONDS = 300
const REDIRECT_URI = "http://127.0.0.1:5173/oauth/callback"
const TITLE = "آپارتمان ۷۵ متری، ونک"

interface World {
  readonly sim: KenarSimulator.KenarSimulator
  readonly server: NodeSimulatorServer.Server
  readonly client: { readonly clientId: string; readonly clientSecret: string; readonly apiKey: string }
  readonly post: string
  /** The simulator's clock (epoch ms). */
  readonly clock: { now: number }
}

const worlds: Array<World> = []
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((world) => world.server.close()))
})

const setup = async (): Promise<World> => {
  const clock = { now: START }
  const sim = KenarSimulator.make({
    now: () => clock.now,
    oauth: { accessTokenLifetimeSeconds: LIFETIME_SECONDS, rotationGraceSeconds: GRACE_SECONDS }
  })
  const user = sim.addUser({ id: "alice" })
  const client = sim.addOAuthClient({ clientId: "kenar-ts-e2e", redirectUris: [REDIRECT_URI] })
  const post = sim.addPost({
    owner: user,
    general_data: { category_slug: "apartment-sell", title: TITLE, city: "tehran" },
    category_data: { size: 75, rooms: "دو" }
  })
  const server = await NodeSimulatorServer.listen(sim)
  const world = { sim, server, client, post, clock }
  worlds.push(world)
  return world
}

const oauthSettings = (world: World) => ({
  clientId: world.client.clientId,
  clientSecret: Redacted.make(world.client.clientSecret),
  redirectUri: REDIRECT_URI,
  authorizeUrl: `${world.server.url}/oauth2/auth`,
  tokenUrl: `${world.server.url}/oauth2/token`
})

type Services = KenarClient.KenarClient | OAuth.OAuthClient | OAuth.TokenManager | OAuth.TokenStore

/** The two ways to put the pieces together, both over one undici pool. */
const compositions: ReadonlyArray<readonly [string, (world: World) => Layer.Layer<Services, unknown>]> = [
  [
    "KenarClient.layer + OAuth.makeAuth / TokenManager / OAuthClient + NodeHttpClient.layer",
    (world) => {
      const oauth = Layer.effect(KenarAuth.KenarAuth, OAuth.makeAuth({ apiKey: world.client.apiKey })).pipe(
        Layer.provideMerge(OAuth.layerTokenManager({ refreshSkew: `${SKEW_SECONDS} seconds` })),
        Layer.provideMerge(Layer.merge(OAuth.layerClient(oauthSettings(world)), OAuth.layerMemoryStore))
      )
      return KenarClient.layer({ baseUrl: world.server.url, retry: false }).pipe(
        Layer.provideMerge(oauth),
        Layer.provide(NodeHttpClient.layer)
      )
    }
  ],
  [
    "NodeKenarClient.layer({ auth: OAuth.layer(...) })",
    (world) =>
      NodeKenarClient.layer({
        baseUrl: world.server.url,
        retry: false,
        auth: OAuth.layer({
          ...oauthSettings(world),
          apiKey: world.client.apiKey,
          refreshSkew: `${SKEW_SECONDS} seconds`
        })
      })
  ]
]

/** Runs a scenario on a TestClock set to the simulator's start. */
const run = <A, E>(
  layer: Layer.Layer<Services, unknown>,
  program: Effect.Effect<A, E, Services>
): Promise<A> =>
  Effect.runPromise(
    Effect.andThen(TestClock.setTime(START), program).pipe(
      Effect.provide(Layer.merge(layer, TestClock.layer()))
    )
  )

/** Moves time on: the simulator's clock, and the SDK's unless `sdk: false` (Kenar's clock ahead of the app's). */
const advance = (world: World, seconds: number, options: { readonly sdk?: boolean } = {}) =>
  Effect.suspend(() => {
    world.clock.now += seconds * 1000
    return options.sdk === false ? Effect.void : TestClock.adjust(`${seconds} seconds`)
  })

const decodeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")

/**
 * The user's browser on the consent page: GET the authorization URL, find
 * the form with the approve and deny buttons, POST the decision, and return
 * the 302's Location (the app's redirect URI with the outcome).
 */
const consent = async (authorizationUrl: string, decision: "approve" | "deny"): Promise<string> => {
  const page = await fetch(authorizationUrl, { redirect: "manual" })
  expect(page.status).toBe(200)
  expect(page.headers.get("content-type")).toContain("text/html")
  const html = await page.text()
  const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html)
  expect(form, "the consent page has a form").not.toBeNull()
  const [, action, fields] = form!
  expect(fields).toContain('name="decision" value="approve"')
  expect(fields).toContain('name="decision" value="deny"')
  const body = new URLSearchParams()
  for (const [, name, value] of fields!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    body.append(decodeHtml(name!), decodeHtml(value!))
  }
  body.append("decision", decision)
  const answer = await fetch(new URL(decodeHtml(action!), authorizationUrl), {
    method: "POST",
    body,
    redirect: "manual"
  })
  expect(answer.status).toBe(302)
  const location = answer.headers.get("location")!
  expect(location.startsWith(`${REDIRECT_URI}?`)).toBe(true)
  return location
}

/** `/login`: a state in a cookie and the authorization URL; then the consent page. */
const authorize = (decision: "approve" | "deny" = "approve") =>
  Effect.gen(function* () {
    const scopes = yield* OAuthScope.forOperations([Posts.getUserPost], { offlineAccess: true })
    const started = yield* NodeOAuth.start({ scopes })
    const location = yield* Effect.promise(() => consent(started.url, decision))
    // the browser sends the state cookie back with the callback
    const cookie = started.cookie.split(";")[0]!
    return { started, location, state: NodeOAuth.stateFromCookie(cookie) }
  })

/** Signs alice in: the consent page, then the callback route with the cookie's state. */
const signIn = Effect.gen(function* () {
  const { location, state } = yield* authorize()
  return yield* NodeOAuth.callback(location, state)
})

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason?._tag !== "Fail") throw new Error(`expected a typed failure: ${String(exit.cause)}`)
  return reason.error
}

/** The tokens kept for the default user, as they are (the manager's getTokens would refresh near expiry). */
const storedTokens = Effect.gen(function* () {
  const tokens = yield* (yield* OAuth.TokenStore).get("default")
  if (tokens === undefined) return yield* Effect.die(new Error("no tokens stored"))
  return tokens
})

/** Token requests per grant type, as the simulator counted them. */
const tokenRequests = (world: World) => world.sim.oauth.stats().token

/** The call log of the API and the token endpoint, as `[what, status]`. */
const traffic = (world: World) =>
  world.sim
    .requests()
    .filter((entry) => entry.operation === "getUserPost" || entry.operation === "oauthToken")
    .map((entry) => [entry.grantType ?? entry.operation, entry.status] as const)

const print = (line: string) => console.log(`[OAuth flow] ${line}`)

for (const [name, compose] of compositions) {
  describe(`OAuth end to end over ${name}`, () => {
    it("signs in through the consent page, exchanges the code and calls an OAuth operation with the token", async () => {
      const world = await setup()
      const result = await run(
        compose(world),
        Effect.gen(function* () {
          const { started, location, state } = yield* authorize()
          const callback = new URL(location)
          expect(callback.searchParams.get("state")).toBe(started.state)
          expect(callback.searchParams.get("code")).toMatch(/^sim_ac_/)
          expect(callback.searchParams.get("scope")).toBe("USER_POSTS_GET offline_access")
          const tokens = yield* NodeOAuth.callback(location, state)
          const post = yield* Posts.getUserPost({ token: world.post })
          const kept = yield* (yield* OAuth.TokenManager).getTokens()
          return { tokens, kept, post }
        })
      )
      expect(result.tokens.scopes).toEqual(["USER_POSTS_GET", "offline_access"])
      expect(result.tokens.refreshToken).toBeDefined()
      expect(result.tokens.expiresAt).toBe(START + LIFETIME_SECONDS * 1000)
      expect(Redacted.value(result.kept.accessToken)).toBe(Redacted.value(result.tokens.accessToken))
      expect(result.post.general_data.title).toBe(TITLE)
      expect(world.sim.oauth.stats()).toMatchObject({
        authorize: 1,
        approved: 1,
        denied: 0,
        token: { authorization_code: 1, refresh_token: 0 }
      })
      const call = world.sim.requests().find((entry) => entry.operation === "getUserPost")!
      expect(call).toMatchObject({ status: 200, apiKey: true, accessToken: true })
    })

    it("refuses a callback with another state (StateMismatch) before any exchange, and surfaces a denied consent as access_denied", async () => {
      const world = await setup()
      const result = await run(
        compose(world),
        Effect.gen(function* () {
          const approved = yield* authorize()
          const forged = yield* Effect.exit(
            NodeOAuth.callback(approved.location, "another-users-state-0123456789")
          )
          const lost = yield* Effect.exit(NodeOAuth.callback(approved.location, undefined))
          const exchangesAfterRefusal = tokenRequests(world).authorization_code
          const noTokens = yield* Effect.exit(Posts.getUserPost({ token: world.post }))
          // the code was never sent: the real callback still completes
          yield* NodeOAuth.callback(approved.location, approved.state)
          const denied = yield* authorize("deny")
          expect(new URL(denied.location).searchParams.get("error")).toBe("access_denied")
          const refused = yield* Effect.exit(NodeOAuth.callback(denied.location, denied.state))
          return { forged, lost, exchangesAfterRefusal, noTokens, refused }
        })
      )
      expect(failureOf(result.forged)).toMatchObject({ _tag: "OAuthError", reason: "StateMismatch" })
      expect(failureOf(result.lost)).toMatchObject({ _tag: "OAuthError", reason: "StateMismatch" })
      expect(result.exchangesAfterRefusal).toBe(0)
      expect(failureOf(result.noTokens)).toMatchObject({ _tag: "CredentialError", credential: "accessToken" })
      expect(failureOf(result.refused)).toMatchObject({
        _tag: "OAuthError",
        reason: "AuthorizationFailed",
        error: "access_denied"
      })
      expect(world.sim.oauth.stats()).toMatchObject({
        authorize: 2,
        approved: 1,
        denied: 1,
        token: { authorization_code: 1, refresh_token: 0 }
      })
      // the call without tokens never reached Kenar
      expect(world.sim.requests().filter((entry) => entry.operation === "getUserPost")).toEqual([])
    })

    it("refreshes ahead of expiry and stores the rotated pair; the old access token works within the grace window and fails after", async () => {
      const world = await setup()
      const result = await run(
        compose(world),
        Effect.gen(function* () {
          const first = yield* signIn
          // 200 s in: 400 s left, more than the skew: no refresh
          yield* advance(world, 200)
          yield* Posts.getUserPost({ token: world.post })
          const beforeSkew = tokenRequests(world).refresh_token
          // 350 s in: 250 s left, within the 300 s skew: refreshed before the call is sent
          yield* advance(world, 150)
          world.sim.clearRequests()
          yield* Posts.getUserPost({ token: world.post })
          const aheadOfExpiry = traffic(world)
          const second = yield* storedTokens
          const old = Redacted.value(first.accessToken)
          // 60 s after the rotation the old access token still works ...
          yield* advance(world, 60)
          const withinGrace = yield* Effect.exit(
            Posts.getUserPost({ token: world.post }, { accessToken: old })
          )
          // ... and 121 s after it, it does not (its own lifetime had 129 s left)
          yield* advance(world, 61)
          const afterGrace = yield* Effect.exit(
            Posts.getUserPost({ token: world.post }, { accessToken: old })
          )
          const current = yield* Effect.exit(Posts.getUserPost({ token: world.post }))
          const oldRefresh = yield* Effect.exit(
            Effect.flatMap(Effect.service(OAuth.OAuthClient), (client) => client.refresh(first.refreshToken!))
          )
          return { first, second, beforeSkew, aheadOfExpiry, withinGrace, afterGrace, current, oldRefresh }
        })
      )
      expect(result.beforeSkew).toBe(0)
      expect(result.aheadOfExpiry).toEqual([
        ["refresh_token", 200],
        ["getUserPost", 200]
      ])
      const { first, second } = result
      expect(Redacted.value(second.accessToken)).not.toBe(Redacted.value(first.accessToken))
      expect(Redacted.value(second.refreshToken!)).not.toBe(Redacted.value(first.refreshToken!))
      expect(second.scopes).toEqual(first.scopes)
      expect(second.expiresAt).toBe(START + (350 + LIFETIME_SECONDS) * 1000)
      expect(Exit.isSuccess(result.withinGrace)).toBe(true)
      expect(failureOf(result.afterGrace)).toBeInstanceOf(KenarError.UnauthenticatedError)
      expect(Exit.isSuccess(result.current)).toBe(true)
      expect(failureOf(result.oldRefresh)).toMatchObject({
        reason: "TokenEndpointError",
        error: "invalid_grant"
      })
      // one refresh by the manager; the old token given per call is never refreshed; one by hand
      expect(tokenRequests(world)).toMatchObject({ authorization_code: 1, refresh_token: 2 })
      expect(world.sim.oauth.stats().issued.refresh_token).toBe(1)
      print(
        `${name}: refreshed ${SKEW_SECONDS - 50} s before expiry (skew ${SKEW_SECONDS} s); old access token: ok 60 s after rotation, 401 after 121 s (grace ${GRACE_SECONDS} s); old refresh token after the grace: invalid_grant`
      )
    })

    it("100 concurrent calls with an expired token trigger exactly one refresh", async () => {
      const world = await setup()
      const result = await run(
        compose(world),
        Effect.gen(function* () {
          const first = yield* signIn
          yield* advance(world, LIFETIME_SECONDS + 1)
          world.sim.clearRequests()
          const started = performance.now()
          const posts = yield* Effect.all(
            Array.from({ length: 100 }, () => Posts.getUserPost({ token: world.post })),
            { concurrency: "unbounded" }
          )
          const millis = performance.now() - started
          const second = yield* storedTokens
          return { first, second, posts, millis }
        })
      )
      expect(result.posts).toHaveLength(100)
      expect(result.posts.every((post) => post.general_data.title === TITLE)).toBe(true)
      expect(tokenRequests(world).refresh_token).toBe(1)
      const seen = traffic(world)
      expect(seen[0]).toEqual(["refresh_token", 200])
      expect(seen.filter(([what, status]) => what === "getUserPost" && status === 200)).toHaveLength(100)
      expect(seen).toHaveLength(101)
      expect(Redacted.value(result.second.accessToken)).not.toBe(Redacted.value(result.first.accessToken))
      print(
        `${name}: 100 concurrent calls, token expired 1 s ago: ${tokenRequests(world).refresh_token} refresh, ${seen.filter(([w, s]) => w === "getUserPost" && s === 200).length} × 200, ${seen.filter(([, s]) => s === 401).length} × 401, ${result.millis.toFixed(0)} ms`
      )
    })

    it("one UNAUTHENTICATED leads to one refresh and one retry of the call", async () => {
      const world = await setup()
      const result = await run(
        compose(world),
        Effect.gen(function* () {
          const first = yield* signIn
          // Kenar's clock runs ahead: the token expired there, the app still sees 9 minutes left
          yield* advance(world, LIFETIME_SECONDS + 1, { sdk: false })
          world.sim.clearRequests()
          const post = yield* Posts.getUserPost({ token: world.post })
          const second = yield* storedTokens
          return { first, second, post }
        })
      )
      expect(result.post.general_data.title).toBe(TITLE)
      expect(traffic(world)).toEqual([
        ["getUserPost", 401],
        ["refresh_token", 200],
        ["getUserPost", 200]
      ])
      expect(tokenRequests(world).refresh_token).toBe(1)
      expect(Redacted.value(result.second.accessToken)).not.toBe(Redacted.value(result.first.accessToken))
      print(
        `${name}: one 401 -> ${tokenRequests(world).refresh_token} refresh, 1 retry: ${JSON.stringify(traffic(world))}`
      )
    })

    it("100 concurrent calls rejected with UNAUTHENTICATED share one refresh and are each retried once", async () => {
      const world = await setup()
      const result = await run(
        compose(world),
        Effect.gen(function* () {
          yield* signIn
          yield* advance(world, LIFETIME_SECONDS + 1, { sdk: false })
          world.sim.clearRequests()
          const started = performance.now()
          const posts = yield* Effect.all(
            Array.from({ length: 100 }, () => Posts.getUserPost({ token: world.post })),
            { concurrency: "unbounded" }
          )
          return { posts, millis: performance.now() - started }
        })
      )
      expect(result.posts).toHaveLength(100)
      const seen = traffic(world)
      const count = (what: string, status: number) =>
        seen.filter(([w, s]) => w === what && s === status).length
      expect(tokenRequests(world).refresh_token).toBe(1)
      expect(count("getUserPost", 401)).toBe(100)
      expect(count("getUserPost", 200)).toBe(100)
      print(
        `${name}: 100 concurrent calls, token rejected by Kenar: ${count("getUserPost", 401)} × 401, ${tokenRequests(world).refresh_token} refresh, ${count("getUserPost", 200)} retries × 200, ${result.millis.toFixed(0)} ms`
      )
    })

    it("a revoked authorization: one refresh attempt (invalid_grant), no retry, the call fails with UnauthenticatedError", async () => {
      const world = await setup()
      const exit = await run(
        compose(world),
        Effect.gen(function* () {
          const tokens = yield* signIn
          // the user removes the app: the access token and its refresh token stop working
          expect(world.sim.oauth.revoke(Redacted.value(tokens.accessToken))).toBe(true)
          world.sim.clearRequests()
          return yield* Effect.exit(Posts.getUserPost({ token: world.post }))
        })
      )
      expect(failureOf(exit)).toBeInstanceOf(KenarError.UnauthenticatedError)
      expect(traffic(world)).toEqual([
        ["getUserPost", 401],
        ["refresh_token", 400]
      ])
    })
  })
}
