import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import { describe, expect, it } from "vitest"
import { KenarError, KenarPromiseClient, Posts } from "../src/index.js"
import { clientLayer, scripted } from "./utils/scripted.js"

/** A transport that holds every request until the test answers it (by its post token). */
const held = () => {
  const waiting = new Map<string, () => void>()
  const http = HttpClient.make((request) =>
    Effect.callback<HttpClientResponse.HttpClientResponse>((resume) => {
      const token = request.url.split("/").at(-1)!
      waiting.set(token, () =>
        resume(
          Effect.succeed(
            HttpClientResponse.fromWeb(
              request,
              new Response(JSON.stringify({ state: "POST_STATE_PUBLISHED", reject_reason: token }), {
                status: 200,
                headers: { "content-type": "application/json" }
              })
            )
          )
        )
      )
    })
  )
  const answer = async (token: string) => {
    const release = waiting.get(token)
    if (release === undefined) throw new Error(`no request for ${token} in flight`)
    waiting.delete(token)
    release()
  }
  return { layer: Layer.succeed(HttpClient.HttpClient, http), waiting, answer }
}

const settle = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error })
  )

describe("KenarPromiseClient", () => {
  it("has one async method per Post operation", () => {
    const client = KenarPromiseClient.make(clientLayer(scripted([{ status: 200, body: {} }]).layer))
    for (const name of Object.keys(Posts.all)) expect(typeof (client as any)[name]).toBe("function")
  })

  it("resolves with decoded data", async () => {
    const transport = scripted([{ status: 200, body: { views: { total: 7 } } }])
    const client = KenarPromiseClient.make(clientLayer(transport.layer))
    await expect(client.getPostStats({ post_token: "AaEB0vbO" })).resolves.toMatchObject({
      views: { total: 7, daily: [] }
    })
    await client.dispose()
  })

  it("rejects with the same tagged error instances as the Effect API", async () => {
    const transport = scripted([{ status: 404, body: { code: 5, message: "no such post" } }])
    const client = KenarPromiseClient.make(clientLayer(transport.layer))
    const error = await client.getUserPost({ token: "AaEB0vbO" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KenarError.NotFoundError)
    expect(error).toMatchObject({ _tag: "NotFoundError", message: "no such post" })
    const invalid = await client.getUserPost({ token: "a/b" }).catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(KenarError.ValidationError)
    await client.dispose()
  })

  it("cancels with an AbortSignal: the request is interrupted and the promise rejects with AbortedError", async () => {
    const transport = scripted([{ hang: true }])
    const client = KenarPromiseClient.make(clientLayer(transport.layer))
    const controller = new AbortController()
    const pending = client.getUploadUrls(undefined, { signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 20))
    controller.abort()
    const error = await pending.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KenarError.AbortedError)
    expect(transport.requests).toHaveLength(1)
    const already = await client
      .getUploadUrls(undefined, { signal: controller.signal })
      .catch((e: unknown) => e)
    expect(already).toBeInstanceOf(KenarError.AbortedError)
    expect(transport.requests).toHaveLength(1)
    await client.dispose()
  })

  it("applies per-call timeout and retry options", async () => {
    const transport = scripted([{ hang: true }])
    const client = KenarPromiseClient.make(clientLayer(transport.layer))
    const error = await client
      .getUploadUrls(undefined, { timeout: 30, retry: false })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
    expect(transport.requests).toHaveLength(1)
    await client.dispose()
  })

  it("runs any operation function through call()", async () => {
    const transport = scripted([{ status: 200, body: { upload_url: "http://kenar.test/up" } }])
    const client = KenarPromiseClient.make(clientLayer(transport.layer))
    await expect(client.call(Posts.getImageUploadUrl, {})).resolves.toEqual({
      upload_url: "http://kenar.test/up"
    })
    await client.dispose()
  })

  it("keeps track of many calls in flight as they come and go: each settles with its own answer, and dispose interrupts exactly those still running", async () => {
    const transport = held()
    const client = KenarPromiseClient.make(clientLayer(transport.layer))
    const token = (i: number) => `Post${String(i).padStart(4, "0")}`
    const call = (i: number) => settle(client.getUserPost({ token: token(i) }))
    const until = async (count: number) => {
      while (transport.waiting.size !== count) await new Promise((resolve) => setTimeout(resolve, 1))
    }
    // warm: the first call builds the layer, later ones run on its context
    const first = call(0)
    await until(1)
    await transport.answer(token(0))
    expect(await first).toEqual({ value: expect.objectContaining({ reject_reason: token(0) }) })

    const outcomes = new Map<number, Promise<unknown>>()
    for (let i = 1; i <= 20; i++) outcomes.set(i, call(i))
    await until(20)
    // answered out of order, freeing slots that the next calls take again
    for (const i of [7, 1, 20, 13, 2, 19, 8]) await transport.answer(token(i))
    for (let i = 21; i <= 30; i++) outcomes.set(i, call(i))
    await until(23)
    for (const i of [25, 3, 30, 21]) await transport.answer(token(i))
    const answered = new Set([7, 1, 20, 13, 2, 19, 8, 25, 3, 30, 21])
    for (const i of answered) {
      expect(await outcomes.get(i)).toEqual({ value: expect.objectContaining({ reject_reason: token(i) }) })
    }

    await client.dispose()
    for (const [i, outcome] of outcomes) {
      if (answered.has(i)) continue
      const { error } = (await outcome) as { error?: unknown }
      expect(error, `call ${i}`).toBeInstanceOf(KenarError.AbortedError)
    }
    expect(outcomes.size - answered.size).toBe(19)
  })
})
