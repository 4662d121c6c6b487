/**
 * Fault soak: thousands of mixed Post operations (all 14) with bounded
 * concurrency, through the @kenar/node client (undici, real HTTP on
 * 127.0.0.1) against the simulator injecting seeded faults on about a fifth
 * of the requests: latency beyond the timeout, 429, 503, a proxy's HTML 502,
 * resets before and after processing, truncated bodies, invalid JSON.
 *
 * It checks and prints:
 * - every call ended in success or a typed error (no defect, no
 *   interruption), with no unhandled rejection or uncaught exception;
 * - every safe (idempotent) call that could succeed did: one that failed
 *   used all its attempts, and every attempt of it met an injected fault (or
 *   a timeout with no fault, counted apart as machine load);
 * - the simulator holds exactly one post per submit the SDK reported as a
 *   success, none for a submit it reported as failed before sending, and at
 *   most one for the ambiguous rest (counted by kind);
 * - every call finished within the deadline its timeout and retry policy imply.
 *
 * Size: SOAK_CALLS (default 10,000) and SOAK_CONCURRENCY (default 32); `pnpm soak`
 * runs a larger setting.
 */
import { performance } from "node:perf_hooks"
import type { KenarClient } from "@kenar/core"
import { KenarError, KenarRateLimit, KenarTransport, PostEdit, Posts } from "@kenar/core"
import { KenarSimulator, NodeSimulatorServer, type SimulatorFault } from "@kenar/testing"
import { Context, Effect, Exit, Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as NodeKenarClient from "../src/NodeKenarClient.js"

const CALLS = Number(process.env.SOAK_CALLS ?? 10_000)
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 32)
const SEED = Number(process.env.SOAK_SEED ?? 20261127)

// per attempt: 600 ms; a latency fault holds the answer 1200 ms (twice the timeout)
const TIMEOUT_MS = 600
const LATENCY_FAULT_MS = 1200
const RETRY = { maxRetries: 5, baseDelay: 5, maxDelay: 40, maxElapsed: "20 seconds", jitter: true } as const
/** Time outside the attempts' timeouts: validation, decoding, scheduling, under load on 2 cores. */
const SLACK_MS = 1500

/** The deadline of a call: every attempt timing out, plus every backoff delay at its longest (+20% jitter, capped). */
const deadlineMillis = (() => {
  let delays = 0
  for (let k = 0; k < RETRY.maxRetries; k++)
    delays += Math.min(RETRY.maxDelay, 1.2 * RETRY.baseDelay * 2 ** k)
  return (RETRY.maxRetries + 1) * TIMEOUT_MS + delays + SLACK_MS
})()

/** The faults: each a seeded fraction of all requests (one outcome fault at most per request; latency combines). */
const faults: ReadonlyArray<SimulatorFault.Fault> = [
  { kind: "latency", ms: LATENCY_FAULT_MS, rate: 0.03, seed: SEED + 1 },
  {
    kind: "status",
    status: 429,
    message: "rate limit exceeded: 600 requests per minute",
    rate: 0.04,
    seed: SEED + 2
  },
  { kind: "status", status: 503, rate: 0.04, seed: SEED + 3 },
  { kind: "html", status: 502, rate: 0.03, seed: SEED + 4 },
  { kind: "reset-before", rate: 0.03, seed: SEED + 5 },
  { kind: "reset-after", rate: 0.03, seed: SEED + 6 },
  { kind: "truncated", rate: 0.03, seed: SEED + 7 },
  { kind: "invalid-json", rate: 0.02, seed: SEED + 8 }
]
/** Faults that answer instead of the simulator: the request is not processed. */
const notProcessedKinds = new Set<SimulatorFault.Kind>(["status", "html", "reset-before"])

/** A small seeded PRNG (mulberry32) for the call plan. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const CallId = Context.Reference<string>("kenar/test/Soak/CallId", { defaultValue: () => "" })

interface ClientAttempt {
  readonly n: number
  /** What the transport gave: an answer's status, a failure, or nothing because the attempt timed out. */
  outcome: "pending" | "failed" | "interrupted" | number
}

/** Unhandled rejections and uncaught exceptions seen while the soak runs. */
const stray = { rejections: 0, exceptions: 0 }
const onRejection = () => {
  stray.rejections++
}
const onException = () => {
  stray.exceptions++
}
process.on("unhandledRejection", onRejection)
process.on("uncaughtException", onException)
afterAll(() => {
  process.off("unhandledRejection", onRejection)
  process.off("uncaughtException", onException)
})

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

describe("fault soak (@kenar/node against the simulator over HTTP)", () => {
  it(
    `${CALLS} mixed calls, concurrency ${CONCURRENCY}, seeded faults on ~22% of requests`,
    async () => {
      // ---------------------------------------------------------------- world
      const sim = KenarSimulator.make({ rateLimit: { perMinute: 0, perDay: 0 }, seed: SEED })
      const apiKey = sim.addApp()
      const user = sim.addUser({ id: "soak-user" })
      const business = sim.addBusiness({ name: "املاک آزمایشی", owner: user })
      const post = (title: string) => sim.addPost({ owner: user, business, general_data: { title } })
      const readPosts = Array.from({ length: 8 }, (_, i) => post(`آگهی خواندنی ${i}`))
      const editPosts = Array.from({ length: 8 }, (_, i) => post(`آگهی ویرایشی ${i}`))
      const accessToken = sim.issueToken({
        user,
        expiresInSeconds: 24 * 3600,
        scopes: [
          "USER_POSTS_GET",
          "USER_POSTS_STATS_READ",
          "SUBMIT_USER_POST",
          "USER_SET_CUSTOMIZED_BUTTON",
          "DELETE_USER_POST",
          "EDIT_USER_POST",
          ...editPosts.map((token) => `POST_EDIT.${token}`)
        ]
      })

      // the server records, per attempt, which faults the simulator injected
      const serverFaults = new Map<string, ReadonlyArray<SimulatorFault.Kind>>()
      let pending = 0
      const served: KenarSimulator.KenarSimulator = {
        ...sim,
        handler: (request) => {
          const tag = request.headers.get("x-soak-attempt") ?? ""
          const before = sim.faults.stats()
          // the simulator draws a request's faults synchronously, before its first await
          const answer = sim.handler(request)
          const after = sim.faults.stats()
          serverFaults.set(
            tag,
            SimulatorFaultKinds.filter((kind) => after[kind] > before[kind])
          )
          pending++
          return answer.finally(() => {
            pending--
          })
        }
      }
      const server = await NodeSimulatorServer.listen(served)

      // the client tags each attempt (x-soak-attempt: <call>:<n>) and records what its transport gave
      const clientAttempts = new Map<string, Array<ClientAttempt>>()
      const tagging = Layer.succeed(KenarRateLimit.RequestGate, {
        wrap: (send) => (request, timeoutMillis) =>
          Effect.flatMap(Effect.service(CallId), (id) => {
            const list = clientAttempts.get(id) ?? []
            clientAttempts.set(id, list)
            const attempt: ClientAttempt = { n: list.length + 1, outcome: "pending" }
            list.push(attempt)
            return send(
              KenarTransport.setHeader(request, "x-soak-attempt", `${id}:${attempt.n}`),
              timeoutMillis
            ).pipe(
              Effect.onExit((exit) =>
                Effect.sync(() => {
                  attempt.outcome = Exit.isSuccess(exit)
                    ? exit.value.status
                    : Exit.hasInterrupts(exit)
                      ? "interrupted"
                      : "failed"
                })
              )
            )
          })
      })
      const client = NodeKenarClient.layer({
        apiKey,
        accessToken,
        baseUrl: server.url,
        timeout: TIMEOUT_MS,
        retry: RETRY
      }).pipe(Layer.provide(tagging))

      // ---------------------------------------------------------------- plan
      const button = {
        type: "ONLINE_CALL",
        action: { open_direct_link: "https://example.com/call" }
      } as const
      const general = (id: string) => ({
        category_slug: "light",
        title: `چراغ مطالعه ${id}`,
        description: `soak:${id}`,
        images: [] as Array<string>,
        city: "tehran",
        location_type: "LOCATION_TYPE_EXACT" as const,
        hide_phone: false,
        chat_enabled: true
      })
      type Call = {
        readonly id: string
        readonly op: keyof Posts.All
        readonly safe: boolean
        readonly run: Effect.Effect<unknown, KenarError.KenarError, KenarClient.KenarClient>
        readonly target?: string
      }
      const weights: ReadonlyArray<readonly [keyof Posts.All, number]> = [
        ["getUserPost", 3],
        ["getPostStats", 2],
        ["canUserSubmitPost", 1],
        ["getUploadUrls", 1],
        ["getImageUploadUrl", 1],
        ["editPost", 1],
        ["editPostV2", 1],
        ["setPostCustomizedButton", 1],
        ["deletePostCustomizedButton", 1],
        ["createBusinessCustomizedButton", 1],
        ["deleteBusinessCustomizedButton", 1],
        ["deleteUserPost", 1],
        ["submitPostV2", 2],
        ["submitUserPost", 2]
      ]
      const total = weights.reduce((sum, [, w]) => sum + w, 0)
      const random = prng(SEED)
      const pick = <A>(items: ReadonlyArray<A>) => items[Math.floor(random() * items.length)]!
      const calls: Array<Call> = Array.from({ length: CALLS }, (_, i) => {
        const id = `c${i}`
        let r = random() * total
        let op: keyof Posts.All = "getUserPost"
        for (const [name, weight] of weights) {
          r -= weight
          if (r < 0) {
            op = name
            break
          }
        }
        const safe = op !== "submitPostV2" && op !== "submitUserPost"
        switch (op) {
          case "getUserPost":
            return { id, op, safe, run: Posts.getUserPost({ token: pick(readPosts) }) }
          case "getPostStats":
            return { id, op, safe, run: Posts.getPostStats({ post_token: pick(readPosts) }) }
          case "canUserSubmitPost":
            return { id, op, safe, run: Posts.canUserSubmitPost() }
          case "getUploadUrls":
            return { id, op, safe, run: Posts.getUploadUrls() }
          case "getImageUploadUrl":
            return { id, op, safe, run: Posts.getImageUploadUrl() }
          case "editPost":
            return {
              id,
              op,
              safe,
              run: Posts.editPost({
                post_token: pick(editPosts),
                title: `عنوان تازه ${i % 97}`,
                description: id
              })
            }
          case "editPostV2":
            return {
              id,
              op,
              safe,
              run: Posts.editPostV2({
                post_token: pick(editPosts),
                ...PostEdit.make({ general_data: { title: `عنوان دوم ${i % 89}` } })
              })
            }
          case "setPostCustomizedButton":
            return {
              id,
              op,
              safe,
              run: Posts.setPostCustomizedButton({ post_token: pick(editPosts), customized_button: button })
            }
          case "deletePostCustomizedButton":
            return { id, op, safe, run: Posts.deletePostCustomizedButton({ post_token: pick(editPosts) }) }
          case "createBusinessCustomizedButton": {
            const fresh = sim.addBusiness({ name: `کسب‌وکار ${id}`, owner: user })
            const token = sim.issueToken({ user, scopes: [`BUSINESS_CREATE_CUSTOMIZED_BUTTON.${fresh}`] })
            return {
              id,
              op,
              safe,
              target: fresh,
              run: Posts.createBusinessCustomizedButton(
                { business_token: fresh, customized_button: button },
                { accessToken: token }
              )
            }
          }
          case "deleteBusinessCustomizedButton":
            return { id, op, safe, run: Posts.deleteBusinessCustomizedButton({ business_token: business }) }
          case "deleteUserPost": {
            const target = post(`آگهی حذفی ${id}`)
            return { id, op, safe, target, run: Posts.deleteUserPost({ post_token: target }) }
          }
          case "submitPostV2":
            return {
              id,
              op,
              safe,
              run: Posts.submitPostV2({
                business_token: business,
                general_data: general(id),
                category_fields: { status: "new" }
              })
            }
          default:
            return {
              id,
              op,
              safe,
              run: Posts.submitUserPost({
                business_token: business,
                general_data: general(id),
                category_fields: { status: "new" }
              })
            }
        }
      })
      const postsBefore = new Set(sim.posts().map((p) => p.token))

      // ---------------------------------------------------------------- run
      sim.faults.inject(faults)
      const started = performance.now()
      const results = await Effect.runPromise(
        Effect.forEach(
          calls,
          (call) =>
            Effect.suspend(() => {
              const t0 = performance.now()
              return Effect.exit(call.run).pipe(
                Effect.map((exit) => ({ call, exit, millis: performance.now() - t0 })),
                Effect.provideService(CallId, call.id)
              )
            }),
          { concurrency: CONCURRENCY }
        ).pipe(Effect.provide(client))
      )
      const elapsed = performance.now() - started
      sim.faults.clear()
      // let delayed requests (latency faults) finish processing before reading the world
      while (pending > 0) await new Promise((resolve) => setTimeout(resolve, 50))
      await server.close()

      // ---------------------------------------------------------------- outcomes
      const untyped: Array<string> = []
      const byTag = new Map<string, number>()
      const errorOf = (exit: Exit.Exit<unknown, KenarError.KenarError>) => {
        if (Exit.isSuccess(exit)) return undefined
        const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
        return reason?._tag === "Fail" ? reason.error : undefined
      }
      for (const { call, exit } of results) {
        if (Exit.isSuccess(exit)) continue
        const error = errorOf(exit)
        if (error === undefined || !KenarError.isKenarError(error)) {
          untyped.push(`${call.id} ${call.op}: ${String(exit.cause)}`)
          continue
        }
        byTag.set(error._tag, (byTag.get(error._tag) ?? 0) + 1)
      }

      // attempts of a call: what the server injected, what the client got
      const attemptsOf = (id: string) =>
        (clientAttempts.get(id) ?? []).map((attempt) => ({
          ...attempt,
          faults: serverFaults.get(`${id}:${attempt.n}`)
        }))

      // ------------------------------------------------- safe calls that could succeed did
      const safeFailures = { total: 0, everyAttemptFaulted: 0, loadTimeouts: 0, deleteAfterLanding: 0 }
      const unexplained: Array<string> = []
      for (const { call, exit } of results) {
        if (!call.safe || Exit.isSuccess(exit)) continue
        const error = errorOf(exit)
        if (error === undefined) continue
        safeFailures.total++
        const attempts = attemptsOf(call.id)
        // DeleteUserPost: an earlier attempt reached the simulator and deleted the post (a fault after
        // processing, or an answer later than the timeout), and the retry is answered NOT_FOUND
        if (
          call.op === "deleteUserPost" &&
          error._tag === "NotFoundError" &&
          attempts
            .slice(0, -1)
            .some((a) => a.faults !== undefined && !a.faults.some((kind) => notProcessedKinds.has(kind))) &&
          sim.post(call.target!)?.state === "POST_STATE_DELETED"
        ) {
          safeFailures.deleteAfterLanding++
          continue
        }
        const usedAll = attempts.length === RETRY.maxRetries + 1
        const faulted = (a: (typeof attempts)[number]) => (a.faults?.length ?? 0) > 0
        // not faulted, yet no answer: timed out under load, or lost before reaching the server
        const lostUnfaulted = (a: (typeof attempts)[number]) =>
          !faulted(a) && (a.outcome === "interrupted" || (a.faults === undefined && a.outcome === "failed"))
        const timedOutUnfaulted = attempts.filter(lostUnfaulted).length
        const explained = usedAll && attempts.every((a) => faulted(a) || lostUnfaulted(a))
        if (!explained) {
          unexplained.push(
            `${call.id} ${call.op} ${error._tag}: ${JSON.stringify(attempts.map((a) => [a.outcome, a.faults ?? "not received"]))}`
          )
        } else if (timedOutUnfaulted > 0) safeFailures.loadTimeouts++
        else safeFailures.everyAttemptFaulted++
      }

      // ------------------------------------------------- submits reconciled with the simulator's posts
      const postsByMarker = new Map<string, Array<KenarSimulator.Post>>()
      const orphans: Array<string> = []
      for (const p of sim.posts()) {
        if (postsBefore.has(p.token)) continue
        const marker = /^soak:(c\d+)$/.exec(p.general_data.description)?.[1]
        if (marker === undefined) {
          orphans.push(p.token)
          continue
        }
        postsByMarker.set(marker, [...(postsByMarker.get(marker) ?? []), p])
      }
      const submits = {
        calls: 0,
        succeeded: 0,
        notSent: 0,
        mayHaveReached: { created: 0, notCreated: 0 },
        answeredError: { created: 0, notCreated: 0 },
        duplicates: 0,
        losses: 0,
        phantom: 0
      }
      const submitProblems: Array<string> = []
      for (const { call, exit } of results) {
        if (call.safe) continue
        submits.calls++
        const created = postsByMarker.get(call.id) ?? []
        if (created.length > 1) {
          submits.duplicates++
          submitProblems.push(`${call.id}: ${created.length} posts`)
        }
        if (Exit.isSuccess(exit)) {
          submits.succeeded++
          const token = (exit.value as { post_token: string }).post_token
          if (created.length === 0 || !created.some((p) => p.token === token)) {
            submits.losses++
            submitProblems.push(`${call.id}: reported ${token}, simulator has ${created.map((p) => p.token)}`)
          }
          continue
        }
        const error = errorOf(exit)!
        const notSent =
          error._tag === "ValidationError" ||
          error._tag === "CredentialError" ||
          error._tag === "RateLimitedError" ||
          (error._tag === "TransportError" && !error.mayHaveReachedServer)
        if (notSent) {
          submits.notSent++
          if (created.length > 0) {
            submits.phantom++
            submitProblems.push(
              `${call.id}: failed before sending (${error._tag}) but created ${created.length}`
            )
          }
        } else if (error._tag === "TransportError") {
          if (created.length > 0) submits.mayHaveReached.created++
          else submits.mayHaveReached.notCreated++
        } else if (created.length > 0) submits.answeredError.created++
        else submits.answeredError.notCreated++
      }

      // ------------------------------------------------- other state checks
      const stateProblems: Array<string> = []
      for (const { call, exit } of results) {
        if (!Exit.isSuccess(exit)) continue
        if (call.op === "deleteUserPost" && sim.post(call.target!)?.state !== "POST_STATE_DELETED") {
          stateProblems.push(`${call.id}: deleted, but the post is ${sim.post(call.target!)?.state}`)
        }
        if (
          call.op === "createBusinessCustomizedButton" &&
          sim.business(call.target!)?.customized_button === undefined
        ) {
          stateProblems.push(`${call.id}: created, but the business has no button`)
        }
      }

      // ------------------------------------------------- deadlines
      const durations = results.map((r) => r.millis)
      const late = results.filter((r) => r.millis > deadlineMillis)

      // ------------------------------------------------- figures
      const requests = serverFaults.size
      const faulted = [...serverFaults.values()].filter((kinds) => kinds.length > 0).length
      const injected = sim.faults.stats()
      const succeeded = results.filter((r) => Exit.isSuccess(r.exit)).length
      const ops = new Map<string, { calls: number; ok: number }>()
      for (const { call, exit } of results) {
        const entry = ops.get(call.op) ?? { calls: 0, ok: 0 }
        entry.calls++
        if (Exit.isSuccess(exit)) entry.ok++
        ops.set(call.op, entry)
      }
      console.log(
        [
          `[soak] ${CALLS} calls (${[...ops].map(([op, s]) => `${op} ${s.ok}/${s.calls}`).join(", ")})`,
          `[soak] concurrency ${CONCURRENCY}, ${(elapsed / 1000).toFixed(1)} s, ${requests} requests, ${faulted} with a fault (${((100 * faulted) / requests).toFixed(1)}%): ${SimulatorFaultKinds.map((k) => `${k} ${injected[k]}`).join(", ")}`,
          `[soak] outcomes: ${succeeded} succeeded, ${CALLS - succeeded} failed with typed errors (${[...byTag].map(([t, n]) => `${t} ${n}`).join(", ")}); untyped ${untyped.length}, unhandled rejections ${stray.rejections}, uncaught exceptions ${stray.exceptions}`,
          `[soak] safe calls failed: ${safeFailures.total} (every attempt faulted ${safeFailures.everyAttemptFaulted}, an unfaulted attempt timed out or was lost under load ${safeFailures.loadTimeouts}, deleteUserPost answered NOT_FOUND after an earlier attempt had deleted the post ${safeFailures.deleteAfterLanding}); unexplained ${unexplained.length}`,
          `[soak] submits: ${submits.calls} calls, ${submits.succeeded} succeeded (exactly one post each), ${submits.notSent} failed before sending (no post), mayHaveReachedServer ${submits.mayHaveReached.created + submits.mayHaveReached.notCreated} (created ${submits.mayHaveReached.created}, not created ${submits.mayHaveReached.notCreated}), other errors ${submits.answeredError.created + submits.answeredError.notCreated} (created ${submits.answeredError.created}, not created ${submits.answeredError.notCreated}); duplicates ${submits.duplicates}, losses ${submits.losses}, posts from failed-before-sending ${submits.phantom}, orphan posts ${orphans.length}`,
          `[soak] durations: p50 ${percentile(durations, 50).toFixed(0)} ms, p99 ${percentile(durations, 99).toFixed(0)} ms, max ${Math.max(...durations).toFixed(0)} ms; deadline ${deadlineMillis.toFixed(0)} ms (${RETRY.maxRetries + 1} x ${TIMEOUT_MS} ms + backoff + ${SLACK_MS} ms slack): ${late.length} late`
        ].join("\n")
      )

      expect(untyped).toEqual([])
      expect(stray).toEqual({ rejections: 0, exceptions: 0 })
      expect(byTag.get("ValidationError") ?? 0).toBe(0)
      expect(byTag.get("CredentialError") ?? 0).toBe(0)
      expect(unexplained).toEqual([])
      // a retried delete whose earlier attempt deleted the post succeeds (Operation.doneOnRetry)
      expect(safeFailures.deleteAfterLanding).toBe(0)
      expect(submitProblems).toEqual([])
      expect(orphans).toEqual([])
      expect(stateProblems).toEqual([])
      expect(late.map((r) => `${r.call.id} ${r.call.op} ${r.millis.toFixed(0)} ms`)).toEqual([])
      expect(faulted / requests).toBeGreaterThan(0.1)
    },
    Math.max(120_000, CALLS * 40)
  )
})

const SimulatorFaultKinds: ReadonlyArray<SimulatorFault.Kind> = [
  "latency",
  "status",
  "html",
  "reset-before",
  "reset-after",
  "truncated",
  "invalid-json"
]
