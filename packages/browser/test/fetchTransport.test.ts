/**
 * The browser client's transport (`fetch`, no effect `HttpClient`) in real
 * Chromium: whole answers, redirects not followed, the per-attempt deadline,
 * aborts on interruption and on the Promise client's `AbortSignal`, and how
 * network and body failures are classified.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type Harness, startHarness } from "./utils/harness.js"

/** A loopback port nothing listens on (any more). */
const closedPort = async (): Promise<number> => {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

let harness: Harness

beforeAll(async () => {
  harness = await startHarness()
}, 60_000)

afterEach(() => {
  harness?.sim.faults.clear()
})

afterAll(async () => {
  await harness?.close()
})

describe("the fetch transport in Chromium", () => {
  it("gives the whole answer: status, lower-case headers, body text", async () => {
    const tab = await harness.open()
    const seenBefore = harness.seen.length
    const post = harness.demo.posts[0]!
    const answer = await tab.evaluate(async (post) => {
      const { Effect, FetchTransport } = window.kenar
      const transport = FetchTransport.make({ credentials: "same-origin" })
      const request = {
        method: "GET" as const,
        url: `${location.origin}/api/kenar/v1/open-platform/user-post/${post}`,
        headers: { accept: "application/json", "x-kenar-test": "yes" },
        body: undefined
      }
      const { status, headers, text } = await Effect.runPromise(transport.send(request, 5_000))
      return { status, headers, title: JSON.parse(text).general_data.title as string }
    }, post)
    expect(answer.status).toBe(200)
    expect(answer.title).toBe(harness.sim.post(post)!.general_data.title)
    expect(answer.headers["content-type"]).toMatch(/^application\/json/)
    expect(Object.keys(answer.headers).every((name) => name === name.toLowerCase())).toBe(true)
    const sent = harness.seen.slice(seenBefore).find((request) => request.path.includes(post))!
    expect(sent.headers["x-kenar-test"]).toBe("yes")
    expect(sent.headers.cookie).toMatch(/sid=/)
    await tab.context().close()
  })

  it("does not follow a redirect: the browser hides it (status 0), the client fails with httpStatus 0", async () => {
    const tab = await harness.open()
    const seenBefore = harness.seen.length
    const post = harness.demo.posts[0]!
    const outcome = await tab.evaluate(async (post) => {
      const { BrowserKenarClient, Effect, FetchTransport } = window.kenar
      const transport = FetchTransport.make({ credentials: "same-origin" })
      const request = {
        method: "GET" as const,
        url: `${location.origin}/redirect/v1/open-platform/user-post/${post}`,
        headers: {},
        body: undefined
      }
      const answer = await Effect.runPromise(transport.send(request, 5_000))
      const kenar = BrowserKenarClient.makePromise({ baseUrl: "/redirect", retry: false })
      try {
        await kenar.getUserPost({ token: post })
        return { answer, error: undefined }
      } catch (error) {
        const e = error as { _tag: string; httpStatus: number }
        return { answer, error: { tag: e._tag, httpStatus: e.httpStatus } }
      } finally {
        await kenar.dispose()
      }
    }, post)
    expect(outcome).toEqual({
      answer: { status: 0, headers: {}, text: "" },
      error: { tag: "UnknownError", httpStatus: 0 }
    })
    // the redirect's target was never asked
    expect(harness.seen.slice(seenBefore).map((request) => request.path)).toEqual([
      `/redirect/v1/open-platform/user-post/${post}`,
      `/redirect/v1/open-platform/user-post/${post}`
    ])
    await tab.context().close()
  })

  it("stops at the deadline: TransportError Timeout (may have reached Kenar), the request aborted", async () => {
    harness.sim.faults.inject({ kind: "latency", ms: 3_000, operation: "getUserPost", times: 1 })
    const tab = await harness.open()
    const outcome = await tab.evaluate(async (post) => {
      const { BrowserKenarClient } = window.kenar
      const signals: Array<AbortSignal> = []
      const kenar = BrowserKenarClient.makePromise({
        timeout: "200 millis",
        retry: false,
        fetch: (input, init) => {
          signals.push(init!.signal!)
          return fetch(input, init)
        }
      })
      const started = performance.now()
      try {
        await kenar.getUserPost({ token: post })
        return undefined
      } catch (error) {
        const e = error as { _tag: string; reason: string; mayHaveReachedServer: boolean; message: string }
        return {
          tag: e._tag,
          reason: e.reason,
          mayHaveReachedServer: e.mayHaveReachedServer,
          message: e.message,
          millis: performance.now() - started,
          aborted: signals.map((signal) => signal.aborted)
        }
      } finally {
        await kenar.dispose()
      }
    }, harness.demo.posts[0]!)
    expect(outcome).toMatchObject({
      tag: "TransportError",
      reason: "Timeout",
      mayHaveReachedServer: true,
      message: expect.stringContaining("no answer within 200 ms"),
      aborted: [true]
    })
    expect(outcome!.millis).toBeLessThan(2_000)
    await tab.context().close()
  })

  it("aborts the request when the Promise client's AbortSignal fires (AbortedError)", async () => {
    harness.sim.faults.inject({ kind: "latency", ms: 3_000, operation: "getUserPost", times: 1 })
    const tab = await harness.open()
    const outcome = await tab.evaluate(async (post) => {
      const { BrowserKenarClient } = window.kenar
      const signals: Array<AbortSignal> = []
      const kenar = BrowserKenarClient.makePromise({
        fetch: (input, init) => {
          signals.push(init!.signal!)
          return fetch(input, init)
        }
      })
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 100)
      try {
        await kenar.getUserPost({ token: post }, { signal: controller.signal })
        return undefined
      } catch (error) {
        return { tag: (error as { _tag: string })._tag, aborted: signals.map((signal) => signal.aborted) }
      } finally {
        await kenar.dispose()
      }
    }, harness.demo.posts[0]!)
    expect(outcome).toEqual({ tag: "AbortedError", aborted: [true] })
    await tab.context().close()
  })

  it("aborts the request when the Effect is interrupted", async () => {
    harness.sim.faults.inject({ kind: "latency", ms: 3_000, operation: "getUserPost", times: 1 })
    const tab = await harness.open()
    const outcome = await tab.evaluate(async (post) => {
      const { BrowserKenarClient, Effect, Posts } = window.kenar
      const signals: Array<AbortSignal> = []
      const layer = BrowserKenarClient.layer({
        fetch: (input, init) => {
          signals.push(init!.signal!)
          return fetch(input, init)
        }
      })
      const result = await Effect.runPromise(
        Posts.getUserPost({ token: post }).pipe(Effect.provide(layer), Effect.timeoutOption("100 millis"))
      )
      return { timedOut: result._tag === "None", aborted: signals.map((signal) => signal.aborted) }
    }, harness.demo.posts[0]!)
    expect(outcome).toEqual({ timedOut: true, aborted: [true] })
    await tab.context().close()
  })

  it("classifies a network failure: TransportError, may have reached Kenar (the browser does not say)", async () => {
    const tab = await harness.open()
    const port = await closedPort()
    const error = await tab.evaluate(
      async ({ post, port }) => {
        const { BrowserKenarClient } = window.kenar
        // the connection is refused: the browser's fetch rejects with a TypeError ("Failed to fetch")
        const kenar = BrowserKenarClient.makePromise({
          baseUrl: `http://127.0.0.1:${port}/api/kenar`,
          retry: false
        })
        try {
          await kenar.getUserPost({ token: post })
          return undefined
        } catch (error) {
          const e = error as { _tag: string; reason: string; mayHaveReachedServer: boolean; attempt: number }
          return {
            tag: e._tag,
            reason: e.reason,
            mayHaveReachedServer: e.mayHaveReachedServer,
            attempt: e.attempt
          }
        } finally {
          await kenar.dispose()
        }
      },
      { post: harness.demo.posts[0]!, port }
    )
    expect(error).toEqual({
      tag: "TransportError",
      reason: "Unknown",
      mayHaveReachedServer: true,
      attempt: 1
    })
    await tab.context().close()
  })

  it("classifies an answer that breaks off: TransportError BodyError", async () => {
    const tab = await harness.open()
    const error = await tab.evaluate(async (post) => {
      const { BrowserKenarClient } = window.kenar
      const kenar = BrowserKenarClient.makePromise({ baseUrl: "/broken", retry: false })
      try {
        await kenar.getUserPost({ token: post })
        return undefined
      } catch (error) {
        const e = error as { _tag: string; reason: string; mayHaveReachedServer: boolean }
        return { tag: e._tag, reason: e.reason, mayHaveReachedServer: e.mayHaveReachedServer }
      } finally {
        await kenar.dispose()
      }
    }, harness.demo.posts[0]!)
    expect(error).toEqual({ tag: "TransportError", reason: "BodyError", mayHaveReachedServer: true })
    await tab.context().close()
  })
})
