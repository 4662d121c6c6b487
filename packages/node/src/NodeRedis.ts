/**
 * Effect's abstract `Redis` service (`effect/persistence/Redis`) over
 * [ioredis](https://github.com/redis/ioredis), for Node 20 and later
 * (`@effect/platform-node`'s own cannot be imported on Node 20). It backs
 * Effect's persistence modules, among them the Redis store of `RateLimiter`
 * that `KenarRateLimit` uses to share one limit across processes:
 *
 * ```ts
 * import { Layer } from "effect"
 * import { KenarRateLimit } from "@kenar/core"
 * import { NodeKenarClient, NodeRedis } from "@kenar/node"
 *
 * const KenarLive = NodeKenarClient.layer().pipe(
 *   Layer.provide(KenarRateLimit.layerWithStore({ limit: 600, key: "kenar:my-app" })),
 *   Layer.provide(NodeRedis.layerRateLimiterStore({ url: "redis://127.0.0.1:6379" }))
 * )
 * ```
 *
 * Commands go over one shared connection; `subscribe` and `reserve` open
 * their own (ioredis re-subscribes after a reconnect). Every connection is
 * closed when the layer's scope closes. Failures are `RedisError`s whose
 * `cause` is ioredis's error (which carries no password).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redis from "effect/persistence/Redis"
import type * as Scope from "effect/Scope"
import type { Redis as IORedis, RedisOptions } from "ioredis"

/**
 * Options of {@link make}: where Redis is (`url`, e.g.
 * `redis://user:password@127.0.0.1:6379/0`, or ioredis's `host`, `port`,
 * `path`, `password`, `tls`, ... which win over the URL), and the pool behind
 * `reserve`. Defaults differ from ioredis's in failing sooner: 5 s to
 * connect, 2 retries of a command across reconnects.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends RedisOptions {
  readonly url?: string | undefined
  readonly pool?: Redis.PoolOptions | undefined
}

const defaults: RedisOptions = { connectTimeout: 5000, maxRetriesPerRequest: 2 }

const redisError = (cause: unknown) => new Redis.RedisError({ cause })

const clientOptions = (options: Options): RedisOptions => {
  const { url: _url, pool: _pool, ...rest } = options
  return { ...defaults, ...rest, lazyConnect: true }
}

/**
 * ioredis reports connection trouble as `error` events as well as by failing
 * commands; the failures reach callers as `RedisError`s, so the events are
 * not printed (ioredis prints them when no one listens).
 */
const quiet = (client: IORedis): IORedis => client.on("error", () => {})

/**
 * ioredis is loaded when a Redis layer is first built, not when `@kenar/node`
 * is imported: it takes about as long to load as the rest of the package.
 */
const loadIORedis = Effect.promise(() => import("ioredis")).pipe(
  Effect.map((module) => module.Redis),
  Effect.cached,
  Effect.runSync
)

const newClient = (Client: typeof IORedis, options: Options): IORedis =>
  quiet(
    options.url === undefined
      ? new Client(clientOptions(options))
      : new Client(options.url, clientOptions(options))
  )

/** Connects a client made with `lazyConnect`; a failure closes it. */
const connect = (client: IORedis): Effect.Effect<IORedis, Redis.RedisError> =>
  Effect.tryPromise({
    try: () => client.connect(),
    catch: (cause) => {
      client.disconnect()
      return redisError(cause)
    }
  }).pipe(Effect.as(client))

const close = (client: IORedis): Effect.Effect<void> =>
  Effect.promise(() => client.quit().catch(() => "")).pipe(
    Effect.timeoutOrElse({ duration: "1 second", orElse: () => Effect.void }),
    Effect.ensuring(Effect.sync(() => client.disconnect()))
  )

const sendOn =
  (client: IORedis) =>
  <A = unknown>(command: string, ...args: ReadonlyArray<string>): Effect.Effect<A, Redis.RedisError> =>
    Effect.tryPromise({
      try: () => client.call(command, [...args]) as Promise<A>,
      catch: redisError
    })

/**
 * Connects to Redis and builds the `Redis` service; the connections close
 * with the scope. Fails with a `RedisError` when Redis cannot be reached.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Redis.Redis["Service"], Redis.RedisError, Scope.Scope> =>
  Effect.gen(function* () {
    const Client = yield* loadIORedis
    const client = yield* Effect.acquireRelease(connect(newClient(Client, options)), close)
    return yield* Redis.make({
      send: sendOn(client),
      subscribe: (channel, onMessage) =>
        Effect.gen(function* () {
          const subscriber = yield* Effect.acquireRelease(
            connect(quiet(client.duplicate({ lazyConnect: true }))),
            close
          )
          subscriber.on("message", (from: string, message: string) => {
            if (from === channel) onMessage({ channel: from, message })
          })
          yield* Effect.tryPromise({ try: () => subscriber.subscribe(channel), catch: redisError })
          // Runs until the connection is gone for good (ioredis reconnects and re-subscribes before that).
          return Effect.callback<void, Redis.RedisError>((resume) => {
            const ended = () =>
              resume(Effect.fail(redisError(new Error("the subscription's connection ended"))))
            subscriber.once("end", ended)
            return Effect.sync(() => {
              subscriber.off("end", ended)
            })
          })
        }),
      connect: Effect.map(connect(quiet(client.duplicate({ lazyConnect: true }))), (connection) => ({
        send: sendOn(connection),
        // disconnect() fails the commands still in flight, as `Redis.make` asks
        close: Effect.sync(() => connection.disconnect())
      })),
      pool: options.pool
    })
  })

/**
 * The `Redis` service, connected when the layer is built and closed with it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Redis.Redis, Redis.RedisError> =>
  Layer.effect(Redis.Redis, make(options))

/**
 * Effect's Redis-backed `RateLimiterStore` (Lua scripts, keys under
 * `prefix`, default `"ratelimiter:"`) over {@link layer}: what
 * `KenarRateLimit.layerWithStore` needs to share a limit across processes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRateLimiterStore = (
  options: Options & { readonly prefix?: string | undefined } = {}
): Layer.Layer<RateLimiter.RateLimiterStore, Redis.RedisError> => {
  const { prefix, ...redis } = options
  return RateLimiter.layerStoreRedis({ prefix }).pipe(Layer.provide(layer(redis)))
}
