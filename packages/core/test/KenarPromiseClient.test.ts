import { describe, expect, it } from "vitest"
import { KenarError, KenarPromiseClient, Posts } from "../src/index.js"
import { clientLayer, scripted } from "./utils/scripted.js"

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
})
