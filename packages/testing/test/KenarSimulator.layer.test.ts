import { KenarAuth, KenarClient, Posts } from "@kenar/core"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import { describe, expect, it } from "vitest"
import * as KenarSimulator from "../src/KenarSimulator.js"
import * as NodeSimulatorServer from "../src/NodeSimulatorServer.js"
import { apiKey, categoryFields, generalData, jpeg, paths, start } from "./utils.js"

interface Sent {
  readonly method: string
  readonly path: string
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

type Send = (request: Sent) => Promise<{ status: number; text: string }>

/** A world with the same seed and clock, so both transports see identical tokens. */
const world = () => {
  const sim = KenarSimulator.make({ now: () => start, baseUrl: "http://kenar.test" })
  sim.addApp({ apiKey })
  const user = sim.addUser({ id: "alice" })
  const business = sim.addBusiness({ token: "Biz00001a", name: "املاک", owner: user })
  const bearer = sim.issueToken({
    user,
    scopes: [
      "SUBMIT_USER_POST",
      "USER_POSTS_GET",
      "USER_POSTS_STATS_READ",
      "EDIT_USER_POST",
      "DELETE_USER_POST"
    ]
  })
  return { sim, business, bearer }
}

const bodyOf = (request: Sent): string | Uint8Array<ArrayBuffer> | undefined =>
  request.body instanceof Uint8Array
    ? (request.body as Uint8Array<ArrayBuffer>)
    : typeof request.body === "string"
      ? request.body
      : request.body === undefined
        ? undefined
        : JSON.stringify(request.body)

const overHttp = async (sim: KenarSimulator.KenarSimulator) => {
  const server = await NodeSimulatorServer.listen(sim)
  const send: Send = async (request) => {
    const body = bodyOf(request)
    const response = await fetch(`${server.url}${request.path}`, {
      method: request.method,
      headers: request.headers ?? {},
      ...(body === undefined ? {} : { body })
    })
    return { status: response.status, text: await response.text() }
  }
  return { send, close: server.close }
}

const inProcess = (sim: KenarSimulator.KenarSimulator): Send => {
  const layer = KenarSimulator.layer(sim)
  return (request) => {
    let http = HttpClientRequest.make(request.method as "GET")(`https://open-api.divar.ir${request.path}`, {
      headers: request.headers ?? {}
    })
    const body = bodyOf(request)
    if (body instanceof Uint8Array) {
      http = HttpClientRequest.bodyUint8Array(http, body, request.headers?.["content-type"])
    } else if (body !== undefined) http = HttpClientRequest.bodyText(http, body, "application/json")
    return Effect.runPromise(
      Effect.gen(function* () {
        const response = yield* HttpClient.execute(http)
        return { status: response.status, text: yield* response.text }
      }).pipe(Effect.provide(layer))
    )
  }
}

/** One scripted session touching most operations and errors; returns what came back. */
const session = async (send: Send, business: string, bearer: string) => {
  const auth = { "x-api-key": apiKey, authorization: `Bearer ${bearer}` }
  const key = { "x-api-key": apiKey }
  const seen: Array<unknown> = []
  const record = async (request: Sent) => {
    const answer = await send(request)
    seen.push([request.method, request.path, answer.status, answer.text])
    return answer
  }
  await record({ method: "GET", path: paths.canSubmit, headers: auth })
  const image = JSON.parse(
    (
      await record({
        method: "POST",
        path: "/__upload/image",
        headers: { ...key, "content-type": "image/jpeg" },
        body: jpeg
      })
    ).text
  ).path
  const submitted = await record({
    method: "POST",
    path: paths.submitUser,
    headers: auth,
    body: {
      business_token: business,
      general_data: generalData({ images: [image] }),
      category_fields: categoryFields
    }
  })
  const token = JSON.parse(submitted.text).post_token
  await record({ method: "GET", path: paths.userPost(token), headers: auth })
  await record({ method: "GET", path: paths.stats(token), headers: auth })
  await record({
    method: "PUT",
    path: paths.postV2(token),
    headers: auth,
    body: { update_mask: ["general_data.title", "general_data.images"], general_data: { title: "تازه" } }
  })
  await record({
    method: "PUT",
    path: paths.postV2(token),
    headers: auth,
    body: { update_mask: ["general_data.city"] }
  })
  await record({ method: "GET", path: paths.userPost(token), headers: auth })
  await record({ method: "GET", path: paths.uploadUrls, headers: key })
  await record({ method: "GET", path: paths.uploadUrls })
  await record({ method: "DELETE", path: paths.post(token), headers: auth })
  await record({ method: "GET", path: paths.userPost(token), headers: auth })
  await record({ method: "GET", path: "/v1/open-platform/unknown", headers: key })
  await record({ method: "POST", path: paths.submitV2, headers: key, body: "{oops" })
  return seen
}

describe("KenarSimulator.layer (in-process HttpClient)", () => {
  it("answers exactly like the HTTP server", async () => {
    const a = world()
    const b = world()
    const http = await overHttp(a.sim)
    try {
      const viaHttp = await session(http.send, a.business, a.bearer)
      const viaLayer = await session(inProcess(b.sim), b.business, b.bearer)
      expect(viaLayer).toEqual(viaHttp)
      expect(viaHttp).toHaveLength(14)
      expect(b.sim.posts()).toEqual(a.sim.posts())
    } finally {
      await http.close()
    }
  })

  it("a reset fails with an HttpClientError whose TransportError cause has code ECONNRESET", async () => {
    const { sim } = world()
    const send = inProcess(sim)
    for (const kind of ["reset-before", "reset-after"] as const) {
      sim.faults.inject({ kind, times: 1 })
      const error = await send({
        method: "POST",
        path: paths.submitV2,
        headers: { "x-api-key": apiKey },
        body: { business_token: "Biz00001a", general_data: generalData(), category_fields: categoryFields }
      }).catch((e: unknown) => e)
      expect(error).toMatchObject({
        _tag: "HttpClientError",
        reason: { _tag: "TransportError", cause: { code: "ECONNRESET" } }
      })
    }
    // only the call reset after processing created a post
    expect(sim.posts()).toHaveLength(1)
  })

  it("a truncated body fails when read; other faults answer as over HTTP", async () => {
    const { sim } = world()
    const send = inProcess(sim)
    sim.faults.inject({ kind: "truncated", times: 1 })
    await expect(
      send({ method: "GET", path: paths.uploadUrls, headers: { "x-api-key": apiKey } })
    ).rejects.toMatchObject({
      _tag: "HttpClientError"
    })
    sim.faults.inject({ kind: "html", times: 1 })
    const html = await send({ method: "GET", path: paths.uploadUrls, headers: { "x-api-key": apiKey } })
    expect(html.status).toBe(502)
    expect(html.text).toContain("<html>")
  })

  it("runs the SDK without a server", async () => {
    const sim = KenarSimulator.make()
    const demo = KenarSimulator.seedDemo(sim)
    const layer = KenarClient.layer({ retry: false }).pipe(
      Layer.provide(KenarAuth.layer({ apiKey: demo.apiKey, accessToken: demo.accessToken })),
      Layer.provide(KenarSimulator.layer(sim))
    )
    const post = await Effect.runPromise(
      Posts.getUserPost({ token: demo.posts[0]! }).pipe(Effect.provide(layer))
    )
    expect(post.general_data.title).toBe(sim.post(demo.posts[0]!)!.general_data.title)
    const missing = await Effect.runPromise(
      Effect.flip(Posts.getPostStats({ post_token: "Missing01" })).pipe(Effect.provide(layer))
    )
    expect(missing._tag).toBe("NotFoundError")
  })
})
