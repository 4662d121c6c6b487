/**
 * A local Kenar: the 14 operations of the Post API on an in-memory world,
 * answering like the real API (proto3 JSON, google.rpc.Status errors, API
 * key + OAuth scopes, rate limits, uploads), with faults on demand.
 *
 * ```ts
 * import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
 *
 * const sim = KenarSimulator.make()
 * const apiKey = sim.addApp()
 * const user = sim.addUser()
 * const business = sim.addBusiness({ name: "املاک نمونه", owner: user })
 * const token = sim.issueToken({ user, scopes: ["USER_POSTS_GET"] })
 *
 * // over real HTTP on 127.0.0.1 ...
 * const server = await NodeSimulatorServer.listen(sim)
 * // ... or in-process, as the HttpClient of an Effect program
 * const HttpLive = KenarSimulator.layer(sim)
 * ```
 *
 * It is also Divar's OAuth server (`/oauth2/auth`, `/oauth2/token`): see
 * `SimulatorOAuth` and {@link KenarSimulator.addOAuthClient}.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Layer from "effect/Layer"
import { builtInCategories } from "./internal/categories.js"
import { seedDemo as seed } from "./internal/demo.js"
import { FaultController } from "./internal/faults.js"
import { type Engine, makeHandler } from "./internal/handler.js"
import { OAuthServer } from "./internal/oauth.js"
import { RateLimiter } from "./internal/rateLimit.js"
import { dateOf, type PostRecord, World } from "./internal/state.js"
import type * as SimulatorFault from "./SimulatorFault.js"
import type * as SimulatorOAuth from "./SimulatorOAuth.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * The life-cycle state of a post (`postPostState`).
 *
 * @since 0.1.0
 * @category models
 */
export type PostState =
  | "POST_STATE_IN_PUBLISH_QUEUE"
  | "POST_STATE_PUBLISHED"
  | "POST_STATE_WAITING_FOR_EDIT"
  | "POST_STATE_WAITING_FOR_PAYMENT"
  | "POST_STATE_WAITING_FOR_REVIEW"
  | "POST_STATE_PUBLISHED_AND_EDIT_REJECTED"
  | "POST_STATE_REJECTED"
  | "POST_STATE_DELETED"
  | "POST_STATE_RETIRED"

/**
 * @since 0.1.0
 * @category models
 */
export type LocationType = "LOCATION_TYPE_EMPTY" | "LOCATION_TYPE_EXACT" | "LOCATION_TYPE_APPROXIMATE"

/**
 * @since 0.1.0
 * @category models
 */
export type BusinessType = "CAR" | "REAL_ESTATE" | "JOBS" | "MARKETPLACE" | "SERVICES" | "PERSONAL"

/**
 * A post's video: the names from the video upload, duration in seconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Video {
  readonly name: string
  readonly thumbnail_name: string
  /** Seconds, as a decimal string (uint64 in proto3 JSON). */
  readonly duration: string
}

/**
 * A post's general data, every field set (zero values included).
 *
 * @since 0.1.0
 * @category models
 */
export interface GeneralData {
  readonly category_slug: string
  readonly title: string
  readonly description: string
  readonly images: ReadonlyArray<string>
  readonly city: string
  readonly district: string
  readonly latitude: number
  readonly longitude: number
  readonly location_type: LocationType
  readonly hide_phone: boolean
  readonly chat_enabled: boolean
  readonly video: Video | undefined
}

/**
 * A customized button as it was sent (`postCustomizedButton`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CustomizedButton {
  readonly type: "ACCOMMODATION_BOOKING" | "EXTERNAL_PRODUCT_STORE" | "RESUME_SUBMISSION" | "ONLINE_CALL"
  readonly action: Readonly<Record<string, unknown>>
}

/**
 * Counts of one day, or totals.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly views: number
  readonly impressions: number
  readonly chats: number
}

/**
 * A snapshot of a post: Kenar's data under its wire names, the simulator's
 * own bookkeeping in camelCase.
 *
 * @since 0.1.0
 * @category models
 */
export interface Post {
  readonly token: string
  /** The user the post belongs to. */
  readonly owner: string
  readonly business: string | undefined
  readonly general_data: GeneralData
  readonly category_data: Readonly<Record<string, unknown>>
  readonly state: PostState
  readonly reject_reason: string
  readonly landline_numbers: ReadonlyArray<string>
  readonly customized_button: CustomizedButton | undefined
  /** Which submit created it: SubmitUserPost or SubmitPostV2. */
  readonly submittedBy: "user" | "provider"
  readonly createdAt: number
  readonly publishedAt: number | undefined
  readonly expiresAt: number | undefined
}

/**
 * A snapshot of a business.
 *
 * @since 0.1.0
 * @category models
 */
export interface Business {
  readonly token: string
  readonly name: string
  readonly type: BusinessType
  readonly owner: string
  readonly members: ReadonlyArray<string>
  readonly customized_button: CustomizedButton | undefined
}

/**
 * One property of a category's submit schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface CategoryProperty {
  readonly title?: string
  /** `"float"` is Kenar's non-standard name for a decimal number. */
  readonly type: "string" | "integer" | "float" | "number" | "boolean" | "array"
  readonly enum?: ReadonlyArray<string | number>
  readonly enumNames?: ReadonlyArray<string>
  readonly items?: {
    readonly type?: "string" | "integer" | "float" | "number" | "boolean"
    readonly enum?: ReadonlyArray<string | number>
    readonly enumNames?: ReadonlyArray<string>
  }
}

/**
 * A category's submit schema, in the JSON-schema-like shape of
 * `GET /v1/open-platform/assets/submit-schema/{category_slug}`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CategorySchema {
  readonly title?: string
  readonly properties: Readonly<Record<string, CategoryProperty>>
  readonly required?: ReadonlyArray<string>
}

/**
 * The categories every simulator knows: `apartment-sell` (required `size`
 * integer and `rooms` enum), `light` (required `status` enum) and
 * `temporary-suite` (required `capacity` integer).
 *
 * @since 0.1.0
 * @category models
 */
export const categories: Readonly<Record<string, CategorySchema>> = builtInCategories

/**
 * One logged call. Credentials are recorded as present or not, never their values.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  readonly at: number
  readonly method: string
  /** The route template (`/v1/open-platform/user-post/{token}`), or the path of an unknown route. */
  readonly route: string
  /**
   * The SDK name of the operation (`getUserPost`), `uploadImage`/`uploadVideo`/`uploadImageV1`,
   * `oauthAuthorize`/`oauthDecision`/`oauthToken`, or undefined.
   */
  readonly operation: string | undefined
  /** The HTTP status answered; undefined when the connection was reset. */
  readonly status: number | undefined
  readonly fault: SimulatorFault.Kind | undefined
  /** Whether an `x-api-key` header was sent. */
  readonly apiKey: boolean
  /** Whether an `Authorization` header was sent (a bearer token, or HTTP Basic at the token endpoint). */
  readonly accessToken: boolean
  /** The `grant_type` of a token endpoint request. */
  readonly grantType?: string
}

/**
 * Per API key request limits; 0 turns one off.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  /** Requests per minute (a sliding window). */
  perMinute: number
  /** Requests per UTC day. */
  perDay: number
  /**
   * Length of the "per-minute" window in milliseconds (default 60,000). Shorten
   * it to test a client-side rate limiter quickly; the 429 still says "per minute".
   */
  windowMillis?: number
}

/**
 * What `GET /__simulator/state` answers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly apps: number
  readonly users: ReadonlyArray<string>
  readonly businesses: ReadonlyArray<Business>
  readonly posts: ReadonlyArray<{
    readonly token: string
    readonly state: PostState
    readonly title: string
    readonly owner: string
    readonly business: string | undefined
    readonly reject_reason: string
  }>
  readonly uploads: { readonly images: number; readonly videos: number }
  readonly requests: number
  readonly limits: Readonly<Limits>
  readonly faults: {
    readonly active: ReadonlyArray<SimulatorFault.Fault>
    readonly stats: SimulatorFault.Stats
  }
  /** The authorization server: clients without their secrets, settings, counts. */
  readonly oauth: {
    readonly clients: ReadonlyArray<{
      readonly clientId: string
      readonly redirectUris: ReadonlyArray<string>
    }>
    readonly autoApprove: boolean
    readonly user: string | undefined
    readonly stats: SimulatorOAuth.Stats
  }
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The origin upload URLs point at. Default: the origin of the request
   * (the server's `http://127.0.0.1:<port>`, or the base URL of an in-process client).
   */
  readonly baseUrl?: string
  /** The clock (milliseconds since the epoch); inject one to drive rate limits, expiry and stats days. */
  readonly now?: () => number
  /** How latency faults wait (default: `setTimeout`). */
  readonly sleep?: (millis: number) => Promise<void>
  /** Per API key: requests per minute (default 600) and per UTC day (default 0); 0 turns a limit off. */
  readonly rateLimit?: {
    readonly perMinute?: number
    readonly perDay?: number
    /** Length of the per-minute window (default 60,000 ms); see {@link Limits.windowMillis}. */
    readonly windowMillis?: number
  }
  /** Extra (or replacement) category submit schemas by slug. */
  readonly categories?: Readonly<Record<string, CategorySchema>>
  /** Seed of the PRNG behind post tokens and upload names (default fixed: reproducible runs). */
  readonly seed?: number
  /** Serve the `/__simulator/` admin endpoints (default true). */
  readonly admin?: boolean
  /** Answer CORS preflights and allow any origin, for a browser playground (default false). */
  readonly cors?: boolean
  /** HTTP status of FAILED_PRECONDITION answers: 400 (gateway default) or 412 (as in Kenar's docs). */
  readonly failedPreconditionStatus?: 400 | 412
  /** How long a published post lives before it retires (default 30 days). */
  readonly postLifetimeDays?: number
  /** The authorization server: auto-approval, default user, token lifetimes and grace window. */
  readonly oauth?: SimulatorOAuth.Options
}

/**
 * What {@link KenarSimulator.addPost} takes: general data (title at least),
 * category data, and where the post is in its life cycle.
 *
 * @since 0.1.0
 * @category models
 */
export interface AddPostOptions {
  readonly owner: string
  readonly business?: string
  readonly token?: string
  /** Default `POST_STATE_PUBLISHED`. */
  readonly state?: PostState
  readonly reject_reason?: string
  readonly general_data: Partial<GeneralData> & { readonly title: string }
  /** Checked against the category's schema when given. */
  readonly category_data?: Readonly<Record<string, unknown>>
}

/**
 * A simulator: its handler, its world and the helpers that drive it.
 * Helpers throw an `Error` on misuse (unknown token, impossible move).
 *
 * @since 0.1.0
 * @category models
 */
export interface KenarSimulator {
  /** The web-standard handler: any `Request` in, the simulator's `Response` out. Rejects with an error whose `code` is `"ECONNRESET"` for reset faults. */
  readonly handler: (request: Request) => Promise<Response>
  readonly faults: SimulatorFault.Faults
  /** The OAuth authorization server's settings (auto-approval, signed-in user) and counts. */
  readonly oauth: SimulatorOAuth.OAuth
  /** The rate limits, changeable at any time. */
  readonly limits: Limits
  /** The simulator's clock. */
  readonly now: () => number

  /** Registers an app; returns its API key (generated unless given). */
  readonly addApp: (options?: {
    apiKey?: string
    name?: string
    perMinute?: number
    perDay?: number
  }) => string
  /**
   * Registers an OAuth client (the app slug as client id, a secret, redirect
   * URIs) for `/oauth2/auth` and `/oauth2/token`; with `apiKey` of an
   * existing app it belongs to that app, else a new app is registered.
   */
  readonly addOAuthClient: (options: SimulatorOAuth.ClientOptions) => SimulatorOAuth.Client
  /** Registers a user; returns the user's id. */
  readonly addUser: (options?: { id?: string; canSubmit?: boolean }) => string
  /** Whether CanUserSubmitPost answers true and SubmitUserPost is allowed. */
  readonly setCanSubmit: (user: string, canSubmit: boolean) => void
  /** Registers a business owned by a user; returns its token. */
  readonly addBusiness: (options: {
    token?: string
    name: string
    type?: BusinessType
    owner: string
    members?: ReadonlyArray<string>
  }) => string
  /** Puts a post straight into the world (its images and video count as uploaded); returns its token. */
  readonly addPost: (options: AddPostOptions) => string
  /** Issues an access token as Kenar's OAuth server would (default 3600 s), without the OAuth flow. */
  readonly issueToken: (options: {
    user: string
    scopes: ReadonlyArray<string>
    expiresInSeconds?: number
  }) => string

  /** WAITING_FOR_PAYMENT -> WAITING_FOR_REVIEW. */
  readonly pay: (token: string) => void
  /** WAITING_FOR_REVIEW -> IN_PUBLISH_QUEUE. */
  readonly queue: (token: string) => void
  /** Any not yet published state (or an edit state) -> PUBLISHED; starts the post's lifetime. */
  readonly publish: (token: string) => void
  /** -> REJECTED (default), WAITING_FOR_EDIT or PUBLISHED_AND_EDIT_REJECTED, with a reason. */
  readonly reject: (
    token: string,
    reason: string,
    state?: "POST_STATE_REJECTED" | "POST_STATE_WAITING_FOR_EDIT" | "POST_STATE_PUBLISHED_AND_EDIT_REJECTED"
  ) => void
  /** -> RETIRED (the post is expired from now on). */
  readonly retire: (token: string) => void
  /** Ends the post's lifetime now: a published post retires, no state accepts edits. */
  readonly expire: (token: string) => void
  /** Adds counts to one day (`YYYY-MM-DD`, UTC; default today by the simulator's clock). */
  readonly recordStats: (token: string, counts: Partial<Stats>, date?: string) => void

  readonly posts: () => ReadonlyArray<Post>
  readonly post: (token: string) => Post | undefined
  readonly business: (token: string) => Business | undefined
  readonly uploads: () => {
    readonly images: ReadonlyArray<{ path: string; contentType: string; bytes: number; hash: string }>
    readonly videos: ReadonlyArray<{ name: string; thumbnailName: string; bytes: number; hash: string }>
  }
  /** Every call so far (the newest 10,000), oldest first. */
  readonly requests: () => ReadonlyArray<RequestLogEntry>
  readonly clearRequests: () => void
  readonly summary: () => Summary
}

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

const day = 24 * 60 * 60 * 1000

const seconds = (value: number | undefined, fallback: number, name: string): number => {
  const s = value ?? fallback
  if (!Number.isFinite(s) || s < 0)
    throw new Error(`KenarSimulator: oauth.${name} must be a non-negative number`)
  return s
}

const defaultSleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

const businessSnapshot = (world: World, token: string): Business | undefined => {
  const business = world.businesses.get(token)
  return business === undefined
    ? undefined
    : structuredClone({
        token: business.token,
        name: business.name,
        type: business.type,
        owner: business.owner,
        members: [...business.members],
        customized_button: business.button
      })
}

const notPublished: ReadonlyArray<PostState> = [
  "POST_STATE_WAITING_FOR_PAYMENT",
  "POST_STATE_WAITING_FOR_REVIEW",
  "POST_STATE_IN_PUBLISH_QUEUE",
  "POST_STATE_WAITING_FOR_EDIT",
  "POST_STATE_PUBLISHED_AND_EDIT_REJECTED"
]

const rejections: ReadonlyArray<PostState> = [
  "POST_STATE_REJECTED",
  "POST_STATE_WAITING_FOR_EDIT",
  "POST_STATE_PUBLISHED_AND_EDIT_REJECTED"
]

const alive: ReadonlyArray<PostState> = [...notPublished, "POST_STATE_PUBLISHED", "POST_STATE_REJECTED"]

/**
 * Creates a simulator with an empty world.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): KenarSimulator => {
  const now = options.now ?? Date.now
  const world = new World(
    now,
    { ...builtInCategories, ...options.categories },
    (options.postLifetimeDays ?? 30) * day,
    options.seed ?? 0x6b656e61
  )
  const faults = new FaultController()
  const limiter = new RateLimiter(now, {
    perMinute: options.rateLimit?.perMinute ?? 600,
    perDay: options.rateLimit?.perDay ?? 0,
    ...(options.rateLimit?.windowMillis === undefined ? {} : { windowMillis: options.rateLimit.windowMillis })
  })
  const oauth = new OAuthServer(
    world,
    {
      codeLifetimeMillis: seconds(options.oauth?.codeLifetimeSeconds, 600, "codeLifetimeSeconds") * 1000,
      accessTokenLifetimeSeconds: seconds(
        options.oauth?.accessTokenLifetimeSeconds,
        3600,
        "accessTokenLifetimeSeconds"
      ),
      refreshTokenLifetimeMillis:
        seconds(
          options.oauth?.refreshTokenLifetimeSeconds,
          30 * 24 * 60 * 60,
          "refreshTokenLifetimeSeconds"
        ) * 1000,
      graceMillis: seconds(options.oauth?.rotationGraceSeconds, 120, "rotationGraceSeconds") * 1000
    },
    {
      ...(options.oauth?.autoApprove === undefined ? {} : { autoApprove: options.oauth.autoApprove }),
      ...(options.oauth?.user === undefined ? {} : { user: options.oauth.user })
    }
  )
  const engine: Engine = {
    world,
    faults,
    limiter,
    sleep: options.sleep ?? defaultSleep,
    baseUrl: options.baseUrl?.replace(/\/+$/, ""),
    admin: options.admin ?? true,
    cors: options.cors ?? false,
    failedPreconditionStatus: options.failedPreconditionStatus ?? 400,
    oauth,
    log: []
  }
  const snapshot = (post: PostRecord | undefined) => (post === undefined ? undefined : world.snapshot(post))

  const addPost = (input: AddPostOptions): string => {
    world.user(input.owner)
    if (input.business !== undefined && !world.businesses.has(input.business)) {
      throw new Error(`KenarSimulator: unknown business '${input.business}'`)
    }
    const general: GeneralData = {
      category_slug: "apartment-sell",
      description: "",
      images: [],
      city: "tehran",
      district: "",
      latitude: 0,
      longitude: 0,
      location_type: "LOCATION_TYPE_EMPTY",
      hide_phone: false,
      chat_enabled: true,
      video: undefined,
      ...input.general_data
    }
    if (world.categories[general.category_slug] === undefined) {
      throw new Error(`KenarSimulator: unknown category '${general.category_slug}'`)
    }
    const category = { ...input.category_data }
    if (input.category_data !== undefined) {
      world.checkCategory(general.category_slug, category, "category_data")
    }
    for (const path of general.images) {
      world.images.set(path, { path, contentType: "image/jpeg", bytes: 0, hash: "" })
    }
    if (general.video !== undefined) {
      const { name, thumbnail_name } = general.video
      world.videos.set(name, { name, thumbnailName: thumbnail_name, bytes: 0, hash: "" })
    }
    const post = world.createPost({
      owner: input.owner,
      business: input.business,
      general,
      category,
      submittedBy: input.business === undefined ? "user" : "provider",
      ...(input.token === undefined ? {} : { token: input.token })
    })
    const state = input.state ?? "POST_STATE_PUBLISHED"
    if (state !== "POST_STATE_WAITING_FOR_PAYMENT") {
      world.move(post.token, state, "any", input.reject_reason ?? "")
    }
    return post.token
  }

  let handle: (request: Request) => Promise<Response> = () => Promise.reject(new Error("not ready"))

  const sim: KenarSimulator = {
    handler: (request) => handle(request),
    faults,
    oauth,
    limits: limiter.limits,
    now,
    addApp: (input = {}) => world.addApp(input).apiKey,
    addOAuthClient: (input) => oauth.addClient(input),
    addUser: (input = {}) => world.addUser(input).id,
    setCanSubmit: (user, canSubmit) => {
      world.user(user).canSubmit = canSubmit
    },
    addBusiness: (input) => world.addBusiness(input).token,
    addPost,
    issueToken: (input) => world.issueToken(input),
    pay: (token) => world.move(token, "POST_STATE_WAITING_FOR_REVIEW", ["POST_STATE_WAITING_FOR_PAYMENT"]),
    queue: (token) => world.move(token, "POST_STATE_IN_PUBLISH_QUEUE", ["POST_STATE_WAITING_FOR_REVIEW"]),
    publish: (token) => world.move(token, "POST_STATE_PUBLISHED", notPublished),
    reject: (token, reason, state = "POST_STATE_REJECTED") => {
      if (!rejections.includes(state)) throw new Error(`KenarSimulator: ${state} is not a rejection state`)
      world.move(
        token,
        state,
        state === "POST_STATE_PUBLISHED_AND_EDIT_REJECTED" ? ["POST_STATE_PUBLISHED"] : alive,
        reason
      )
    },
    retire: (token) => world.move(token, "POST_STATE_RETIRED", alive),
    expire: (token) => {
      world.postOrThrow(token).expiresAt = now()
      world.post(token)
    },
    recordStats: (token, counts, date) => world.recordStats(token, counts, date ?? dateOf(now())),
    posts: () => [...world.posts.keys()].map((token) => world.snapshot(world.post(token)!)),
    post: (token) => snapshot(world.post(token)),
    business: (token) => businessSnapshot(world, token),
    uploads: () => ({
      images: [...world.images.values()].map((image) => ({ ...image })),
      videos: [...world.videos.values()].map((video) => ({ ...video }))
    }),
    requests: () => engine.log.map((entry) => ({ ...entry })),
    clearRequests: () => {
      engine.log.length = 0
    },
    summary: () => ({
      apps: world.apps.size,
      users: [...world.users.keys()],
      businesses: [...world.businesses.keys()].map((token) => businessSnapshot(world, token)!),
      posts: [...world.posts.keys()].map((token) => {
        const post = world.post(token)!
        return {
          token,
          state: post.state,
          title: post.general.title,
          owner: post.owner,
          business: post.business,
          reject_reason: post.rejectReason
        }
      }),
      uploads: { images: world.images.size, videos: world.videos.size },
      requests: engine.log.length,
      limits: { ...limiter.limits },
      faults: { active: faults.active(), stats: faults.stats() },
      oauth: oauth.summary()
    })
  }
  handle = makeHandler(engine, sim)
  return sim
}

// -----------------------------------------------------------------------------
// layers
// -----------------------------------------------------------------------------

const isReset = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ECONNRESET"

/**
 * An `HttpClient` that hands every request to the simulator in-process, with
 * no socket: whatever host a request names, the simulator answers it. A reset
 * fault fails with an `HttpClientError` whose reason is a `TransportError`
 * with a cause of `code: "ECONNRESET"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClient = (sim: KenarSimulator): HttpClient.HttpClient =>
  HttpClient.make((request, _url, signal) =>
    Effect.flatMap(
      Effect.mapError(
        HttpClientRequest.toWeb(request, { signal }),
        (cause) =>
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.InvalidUrlError({ request, cause })
          })
      ),
      (web) =>
        Effect.tryPromise({
          try: () => sim.handler(web),
          catch: (cause) =>
            new HttpClientError.HttpClientError({
              reason: new HttpClientError.TransportError({
                request,
                cause,
                description: isReset(cause) ? "connection reset by the simulator" : "the simulator failed"
              })
            })
        }).pipe(Effect.map((response) => HttpClientResponse.fromWeb(request, response)))
    )
  )

/**
 * A layer providing {@link httpClient} as the `HttpClient`: run the SDK
 * against the simulator without a server.
 *
 * ```ts
 * const KenarTest = KenarClient.layer().pipe(
 *   Layer.provide(KenarAuth.layer({ apiKey })),
 *   Layer.provide(KenarSimulator.layer(sim))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (sim: KenarSimulator): Layer.Layer<HttpClient.HttpClient> =>
  HttpClient.layerMergedContext(Effect.succeed(httpClient(sim)))

// -----------------------------------------------------------------------------
// demo data
// -----------------------------------------------------------------------------

/**
 * What {@link seedDemo} created.
 *
 * @since 0.1.0
 * @category models
 */
export interface Demo {
  readonly apiKey: string
  readonly user: string
  /** A token of `user` with every Post scope, resource scopes included. */
  readonly accessToken: string
  readonly business: string
  readonly posts: ReadonlyArray<string>
  /** The demo app's OAuth client: redirect URIs on `127.0.0.1:5173` and `localhost:5173` (`/oauth/callback`). */
  readonly oauthClient: SimulatorOAuth.Client
}

/**
 * Fills a simulator with demo data: an app with an OAuth client, a user
 * owning a real-estate business (the user who signs in at `/oauth2/auth`
 * unless `sim.oauth.user` was set), posts in several states with Persian
 * titles and a week of stats, and an access token with every scope (valid
 * 30 days).
 *
 * @since 0.1.0
 * @category constructors
 */
export const seedDemo = (sim: KenarSimulator): Demo => seed(sim)
