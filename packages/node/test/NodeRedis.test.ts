/**
 * NodeRedis (Effect's `Redis` service over ioredis) against a real
 * redis-server started for this file, and `KenarRateLimit` sharing one limit
 * across worker PROCESSES through it: the simulator, whose per-minute window
 * is shortened to one second, sees no more than the limit in any window and
 * answers no 429; the same run with per-process (in-memory) limiters gets 429s.
 *
 * Needs redis-server (Debian package `redis-server`): skipped with a message
 * when it is missing outside CI; in CI it must run (.ci/run installs it).
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"
import { Effect, Exit, Layer, Queue } from "effect"
import * as RateLimiter from "effect/persistence/RateLimiter"
import * as Redis from "effect/persistence/Redis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as NodeRedis from "../src/NodeRedis.js"
import { type RedisServer, redisServerPath, startRedis } from "./utils/redis.js"
import { closedPort } from "./utils/server.js"

const inCI = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false"
const binary = redisServerPath()
if (binary === undefined && !inCI) {
  console.warn(
    "NodeRedis.test.ts SKIPPED: redis-server is not installed (apt-get install -y redis-server); in CI these tests run"
  )
}

describe.skipIf(binary === undefined && !inCI)("NodeRedis and KenarRateLimit over Redis", () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(binary)
  }, 30_000)
  afterAll(() => redis?.stop())

  const withRedis = <A, E>(effect: Effect.Effect<A, E, Redis.Redis>) =>
    Effect.runPromise(Effect.provide(effect, NodeRedis.layer({ url: redis.url })))

  it("sends commands, runs cached Lua scripts, subscribes and reserves connections", async () => {
    const result = await withRedis(
      Effect.gen(function* () {
        const redis = yield* Redis.Redis
        yield* redis.send("SET", "kenar:test", "42")
        const value = yield* redis.send<string>("GET", "kenar:test")
        const script = Redis.script((key: string) => [key], {
          numberOfKeys: 1,
          lua: `return redis.call("INCRBY", KEYS[1], 1)`
        }).withReturnType<number>()
        const incr = redis.eval(script)
        const counts = [yield* incr("kenar:test"), yield* incr("kenar:test")]
        const received = yield* Effect.scoped(
          Effect.gen(function* () {
            const queue = yield* redis.subscribe("kenar:channel")
            yield* redis.send("PUBLISH", "kenar:channel", "hello")
            return yield* Queue.take(queue)
          })
        )
        const reserved = yield* Effect.scoped(
          Effect.flatMap(redis.reserve, (connection) => connection.send<string>("PING"))
        )
        return { value, counts, received, reserved }
      })
    )
    expect(result).toEqual({
      value: "42",
      counts: [43, 44],
      received: { channel: "kenar:channel", message: "hello" },
      reserved: "PONG"
    })
  })

  it("backs Effect's RateLimiter store: one counter for every client of the same key", async () => {
    const consume = Effect.flatMap(Effect.service(RateLimiter.RateLimiter), (limiter) =>
      Effect.exit(limiter.consume({ key: "shared", limit: 3, window: "10 seconds" }))
    )
    const store = NodeRedis.layerRateLimiterStore({ url: redis.url, prefix: `test-${Date.now()}:` })
    const limiterLayer = RateLimiter.layer.pipe(Layer.provide(store))
    // two separately built layers (two connections): they still share the counter
    const first = await Effect.runPromise(Effect.all([consume, consume]).pipe(Effect.provide(limiterLayer)))
    const second = await Effect.runPromise(Effect.all([consume, consume]).pipe(Effect.provide(limiterLayer)))
    expect([...first, ...second].map(Exit.isSuccess)).toEqual([true, true, true, false])
  })

  it("fails the layer with a RedisError when Redis cannot be reached", async () => {
    const port = await closedPort()
    const exit = await Effect.runPromiseExit(
      Effect.provide(
        Effect.void,
        NodeRedis.layer({ url: `redis://127.0.0.1:${port}`, retryStrategy: () => null })
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("RedisError")
  })

  it("shares one limit across worker processes: no 429 from the simulator; per-process limiters get 429s", async () => {
    const limit = 30
    const windowMillis = 1000
    const workers = 4
    const callsPerWorker = 35
    const runOnce = async (shared: boolean) => {
      const sim = KenarSimulator.make({ rateLimit: { perMinute: limit, windowMillis } })
      const apiKey = sim.addApp()
      const server = await NodeSimulatorServer.listen(sim)
      try {
        const config = {
          baseUrl: server.url,
          apiKey,
          redisUrl: shared ? redis.url : undefined,
          prefix: `kenar-test-${Date.now()}:`,
          limit,
          windowMillis,
          marginMillis: 500,
          burst: 3,
          calls: callsPerWorker,
          concurrency: 4
        }
        const results = await runWorkers(workers, config)
        const log = sim.requests().filter((entry) => entry.operation === "getUploadUrls")
        const accepted = log.filter((entry) => entry.status === 200).map((entry) => entry.at)
        const limited = log.filter((entry) => entry.status === 429).length
        // the workers' own time, from `go` to their last answer (process start-up excluded)
        const workMillis = Math.max(...results.map((r) => r.millis))
        return { results, accepted, limited, peak: maxInWindow(accepted, windowMillis), millis: workMillis }
      } finally {
        await server.close()
      }
    }

    const shared = await runOnce(true)
    const local = await runOnce(false)
    const calls = workers * callsPerWorker
    console.log(
      [
        `[rate limit across processes] ${workers} processes x ${callsPerWorker} calls, simulator limit ${limit} per ${windowMillis} ms (sliding)`,
        `  shared limiter (Redis store): max ${shared.peak} requests in any ${windowMillis} ms window, ${shared.limited} 429s, ${shared.accepted.length}/${calls} calls succeeded, ${shared.millis} ms`,
        `  per-process limiters (memory store): max ${local.peak} requests in any ${windowMillis} ms window, ${local.limited} 429s, ${local.accepted.length}/${calls} calls succeeded, ${local.millis} ms`
      ].join("\n")
    )
    expect(shared.limited).toBe(0)
    expect(shared.peak).toBeLessThanOrEqual(limit)
    expect(shared.accepted).toHaveLength(calls)
    expect(shared.results.every((r) => r.ok === callsPerWorker)).toBe(true)
    expect(local.limited).toBeGreaterThan(0)
  }, 120_000)
})

/** Most timestamps in any window of `width` ms. */
const maxInWindow = (times: ReadonlyArray<number>, width: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= width) start++
    best = Math.max(best, end - start + 1)
  }
  return best
}

interface WorkerResult {
  readonly ok: number
  readonly errors: Record<string, number>
  readonly millis: number
}

const workerPath = fileURLToPath(new URL("./fixtures/rateLimitWorker.ts", import.meta.url))
const packageDir = fileURLToPath(new URL("..", import.meta.url))

/** Starts the workers, waits until every one is ready, then says `go` to all at once. */
const runWorkers = async (count: number, config: object): Promise<Array<WorkerResult>> => {
  const children = Array.from({ length: count }, () =>
    spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@kenar/source", workerPath, JSON.stringify(config)],
      {
        cwd: packageDir,
        stdio: ["pipe", "pipe", "pipe"]
      }
    )
  )
  const outputs = children.map(() => ({ stdout: "", stderr: "" }))
  const ready = children.map(
    (child, i) =>
      new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding("utf8")
        child.stderr.setEncoding("utf8")
        child.stderr.on("data", (chunk: string) => {
          outputs[i]!.stderr += chunk
        })
        child.stdout.on("data", (chunk: string) => {
          outputs[i]!.stdout += chunk
          if (outputs[i]!.stdout.includes("ready\n")) resolve()
        })
        child.once("exit", (code) => reject(new Error(`worker ${i} exited (${code}): ${outputs[i]!.stderr}`)))
      })
  )
  const done = children.map(
    (child, i) =>
      new Promise<WorkerResult>((resolve, reject) => {
        child.once("exit", (code) => {
          const line = outputs[i]!.stdout.split("\n").find((l) => l.startsWith("{"))
          if (code !== 0 || line === undefined)
            reject(new Error(`worker ${i} failed (${code}): ${outputs[i]!.stderr}`))
          else resolve(JSON.parse(line) as WorkerResult)
        })
      })
  )
  try {
    await Promise.all(ready)
  } catch (error) {
    for (const child of children) child.kill("SIGKILL")
    throw error
  }
  for (const child of children) child.stdin.write("go\n")
  return Promise.all(done)
}
