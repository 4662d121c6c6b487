import { createHash } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { NodeHttpClient } from "../src/index.js"
import { closedPort, respondJson, startServer, type TestServer } from "./utils/server.js"

const servers: Array<TestServer> = []
const serve = async (...args: Parameters<typeof startServer>) => {
  const server = await startServer(...args)
  servers.push(server)
  return server
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

let current: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layer

const run = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>, layer = current) =>
  Effect.runPromise(Effect.provide(effect, layer))

const runExit = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>, layer = current) =>
  Effect.runPromiseExit(Effect.provide(effect, layer))

const echo = () =>
  serve((request, response, body) =>
    respondJson(
      response,
      200,
      { method: request.method, url: request.url, headers: request.headers, body: body.toString("utf8") },
      { "set-cookie": "session=abc; Path=/", "x-multi": "one" }
    )
  )

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") throw new Error(`expected a Fail reason: ${exit.cause}`)
  return reason.error
}

const untraced = Layer.succeed(HttpClient.TracerDisabledWhen, () => true)

describe.each([
  { name: "layer", layer: NodeHttpClient.layer },
  { name: "lean, untraced requests", layer: Layer.merge(NodeHttpClient.layerWith({ lean: true }), untraced) },
  { name: "lean, traced requests", layer: NodeHttpClient.layerWith({ lean: true }) },
  { name: "layer, untraced requests", layer: Layer.merge(NodeHttpClient.layer, untraced) }
])("NodeHttpClient ($name)", ({ layer }) => {
  beforeEach(() => {
    current = layer
  })

  it("round-trips every method with headers and a JSON body", async () => {
    const server = await echo()
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const
    for (const method of methods) {
      let request = HttpClientRequest.make(method)(`${server.url}/v1/thing/a-b?x=1&y=%D8%A7`, {
        headers: { "x-api-key": "key-1", authorization: "Bearer t" }
      })
      if (method !== "GET" && method !== "OPTIONS")
        request = HttpClientRequest.bodyJsonUnsafe(request, { n: 1, s: "سلام" })
      const result = await run(
        Effect.gen(function* () {
          const client = yield* HttpClient.HttpClient
          const response = yield* client.execute(request)
          return { status: response.status, json: (yield* response.json) as any, headers: response.headers }
        })
      )
      expect(result.status).toBe(200)
      expect(result.json.method).toBe(method)
      expect(result.json.url).toBe("/v1/thing/a-b?x=1&y=%D8%A7")
      expect(result.json.headers["x-api-key"]).toBe("key-1")
      expect(result.json.headers.authorization).toBe("Bearer t")
      expect(result.headers["content-type"]).toBe("application/json")
      if (method !== "GET" && method !== "OPTIONS") {
        expect(JSON.parse(result.json.body)).toEqual({ n: 1, s: "سلام" })
        expect(result.json.headers["content-type"]).toBe("application/json")
        expect(Number(result.json.headers["content-length"])).toBe(Buffer.byteLength(result.json.body))
      }
    }
    // HEAD: a status and headers, and an empty body.
    const head = await run(
      Effect.flatMap(HttpClient.head(`${server.url}/`), (response) =>
        Effect.map(response.text, (text) => ({ status: response.status, text }))
      )
    )
    expect(head).toEqual({ status: 200, text: "" })
  })

  it("gives headers as effect Headers, cookies, url, and lets every body reader share one read", async () => {
    const server = await echo()
    const result = await run(
      Effect.gen(function* () {
        const response = yield* HttpClient.get(`${server.url}/path?q=1`)
        const text = yield* response.text
        const again = yield* response.text
        const bytes = new Uint8Array(yield* response.arrayBuffer)
        const json = yield* response.json
        return { response, text, again, bytes, json }
      })
    )
    expect(result.text).toBe(result.again)
    expect(Buffer.from(result.bytes).toString("utf8")).toBe(result.text)
    expect(result.json).toEqual(JSON.parse(result.text))
    expect(result.response.url).toBe(`${server.url}/path?q=1`)
    expect(result.response.headers["x-multi"]).toBe("one")
    expect(result.response.cookies.cookies.session?.value).toBe("abc")
    expect(JSON.stringify(result.response)).toContain('"status":200')
  })

  it("sends text, bytes and raw bodies", async () => {
    const server = await serve((_request, response, body) =>
      respondJson(response, 200, { body: body.toString("hex") })
    )
    const send = (request: HttpClientRequest.HttpClientRequest) =>
      run(Effect.flatMap(HttpClient.execute(request), (response) => response.json)) as Promise<{
        body: string
      }>
    const url = `${server.url}/upload`
    expect((await send(HttpClientRequest.bodyText(HttpClientRequest.post(url), "hi"))).body).toBe(
      Buffer.from("hi").toString("hex")
    )
    expect(
      (await send(HttpClientRequest.bodyUint8Array(HttpClientRequest.post(url), new Uint8Array([1, 2, 255]))))
        .body
    ).toBe("0102ff")
    expect(
      (
        await send(
          HttpClientRequest.setBody(HttpClientRequest.put(url), { _tag: "Raw", body: "raw!" } as any)
        )
      ).body
    ).toBe(Buffer.from("raw!").toString("hex"))
    const form = new FormData()
    form.append("title", "سلام")
    const multipart = Buffer.from(
      (await send(HttpClientRequest.bodyFormData(HttpClientRequest.post(url), form))).body,
      "hex"
    ).toString("utf8")
    expect(multipart).toContain('name="title"')
    expect(multipart).toContain("سلام")
  })

  it("streams a large request body with backpressure, never holding it whole", async () => {
    const chunkSize = 64 * 1024
    const chunks = 1024 // 64 MiB
    let produced = 0
    let producedWhilePaused = -1
    const server = await serve(
      (request, response) => {
        const hash = createHash("sha256")
        let received = 0
        request.pause()
        setTimeout(() => {
          producedWhilePaused = produced
          request.on("data", (chunk: Buffer) => {
            hash.update(chunk)
            received += chunk.length
          })
          request.on("end", () => respondJson(response, 200, { received, sha256: hash.digest("hex") }))
          request.resume()
        }, 300)
      },
      { raw: true }
    )
    const expected = createHash("sha256")
    const chunk = (i: number) => new Uint8Array(chunkSize).fill(i % 251)
    for (let i = 0; i < chunks; i++) expected.update(chunk(i))
    const body = Stream.range(0, chunks - 1, 1).pipe(
      Stream.map((i) => {
        produced += chunkSize
        return chunk(i)
      })
    )
    const result = (await run(
      Effect.flatMap(
        HttpClient.execute(HttpClientRequest.bodyStream(HttpClientRequest.post(`${server.url}/big`), body)),
        (response) => response.json
      )
    )) as { received: number; sha256: string }
    expect(result.received).toBe(chunkSize * chunks)
    expect(result.sha256).toBe(expected.digest("hex"))
    // While the server did not read, the stream was pulled only as far as the socket buffers.
    expect(producedWhilePaused).toBeGreaterThan(0)
    expect(producedWhilePaused).toBeLessThan((chunkSize * chunks) / 4)
  })

  it("streams a large response body", async () => {
    const size = 16 * 1024 * 1024
    const server = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/octet-stream" })
      let sent = 0
      const write = () => {
        while (sent < size) {
          sent += 65536
          if (!response.write(Buffer.alloc(65536, 7))) return void response.once("drain", write)
        }
        response.end()
      }
      write()
    })
    const total = await run(
      Stream.runFold(
        HttpClient.get(`${server.url}/big`).pipe(
          Effect.map((response) => response.stream),
          Stream.unwrap
        ),
        () => 0,
        (n, chunk) => n + chunk.length
      )
    )
    expect(total).toBe(size)
  })

  it("reuses keep-alive connections for sequential requests", async () => {
    const server = await echo()
    await run(
      Effect.gen(function* () {
        for (let i = 0; i < 20; i++) {
          const response = yield* HttpClient.get(`${server.url}/${i}`)
          yield* response.text
        }
      })
    )
    expect(server.seen).toHaveLength(20)
    // undici may open a second socket for the request sent right after the
    // first answer ends (the first is released a tick later); then both are reused.
    expect(server.connections()).toBeLessThanOrEqual(2)
  })

  it("fails a refused connection with a TransportError whose cause keeps the code", async () => {
    const port = await closedPort()
    const exit = await runExit(HttpClient.get(`http://127.0.0.1:${port}/`))
    const error = failureOf(exit)
    expect(HttpClientError.isHttpClientError(error)).toBe(true)
    expect(error.reason._tag).toBe("TransportError")
    expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED")
  })

  it("fails with the socket error when the server resets the connection", async () => {
    const server = await serve((request) => request.socket.destroy(), { raw: true })
    const exit = await runExit(HttpClient.get(`${server.url}/`))
    const error = failureOf(exit)
    expect(error.reason._tag).toBe("TransportError")
    expect(["UND_ERR_SOCKET", "ECONNRESET"]).toContain((error.cause as { code?: string }).code)
  })

  it("aborts the in-flight request when interrupted: the server sees the socket close", async () => {
    const server = await serve(() => {}, { raw: true })
    await run(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(HttpClient.get(`${server.url}/slow`))
        yield* Effect.promise(() => server.waitRequests(1))
        yield* Fiber.interrupt(fiber)
      })
    )
    await server.waitClosed(1)
    expect(server.closed()).toBe(1)
  })

  it("aborts the request when reading the body is interrupted", async () => {
    const server = await serve(
      (_request, response) => {
        response.writeHead(200, { "content-type": "text/plain" })
        response.write("partial")
      },
      { raw: true }
    )
    const exit = await runExit(
      Effect.flatMap(HttpClient.get(`${server.url}/`), (response) => response.text).pipe(
        Effect.timeout("200 millis")
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    await server.waitClosed(1)
  })

  it("fails with the stream's error when a streamed body fails", async () => {
    const server = await serve((_request, response) => respondJson(response, 200, {}))
    const body = Stream.concat(Stream.make(new Uint8Array([1, 2, 3])), Stream.fail(new Error("disk gone")))
    const exit = await runExit(
      HttpClient.execute(HttpClientRequest.bodyStream(HttpClientRequest.post(server.url), body))
    )
    const error = failureOf(exit)
    expect(error.reason._tag).toBe("TransportError")
  })

  it("collects the whole stream into chunks", async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200)
      response.end("abc")
    })
    const chunks = await run(
      Stream.runCollect(Stream.unwrap(Effect.map(HttpClient.get(server.url), (response) => response.stream)))
    )
    expect(Buffer.concat(chunks).toString()).toBe("abc")
  })
})

describe("NodeHttpClient layers", () => {
  beforeEach(() => {
    current = NodeHttpClient.layer
  })

  it("closes its pool when the layer's scope closes", async () => {
    const server = await echo()
    await run(Effect.flatMap(HttpClient.get(server.url), (response) => response.text))
    expect(server.connections()).toBe(1)
    await server.waitClosed(1)
  })

  it("layerWith applies pool settings, and rejects invalid ones", async () => {
    const server = await echo()
    const layer = NodeHttpClient.layerWith({
      connections: 2,
      keepAliveTimeout: "1 second",
      connectTimeout: 2000
    })
    await run(
      Effect.forEach(
        Array.from({ length: 8 }, (_, i) => i),
        (i) => Effect.flatMap(HttpClient.get(`${server.url}/${i}`), (response) => response.text),
        { concurrency: 8 }
      ),
      layer
    )
    expect(server.seen).toHaveLength(8)
    expect(server.connections()).toBeLessThanOrEqual(2)
    await expect(run(Effect.void, NodeHttpClient.layerWith({ connections: 0 }))).rejects.toThrow(
      /connections/
    )
  })

  it("layerDispatcher uses a dispatcher you own", async () => {
    const { Agent } = await import("undici")
    const agent = new Agent()
    const server = await echo()
    const text = await run(
      Effect.flatMap(HttpClient.get(server.url), (response) => response.text),
      NodeHttpClient.layerDispatcher(agent)
    )
    expect(JSON.parse(text).method).toBe("GET")
    expect(agent.closed).toBe(false)
    await agent.close()
  })

  it("lean takes its short path only for untraced requests", async () => {
    const server = await echo()
    const kind = (layer: Layer.Layer<HttpClient.HttpClient>) =>
      run(
        Effect.flatMap(HttpClient.get(server.url), (response) =>
          Effect.as(response.text, response.constructor.name)
        ),
        layer
      )
    expect(await kind(Layer.merge(NodeHttpClient.layerWith({ lean: true }), untraced))).toBe("UndiciResponse")
    expect(await kind(NodeHttpClient.layerWith({ lean: true }))).not.toBe("UndiciResponse")
    expect(await kind(Layer.merge(NodeHttpClient.layer, untraced))).not.toBe("UndiciResponse")
  })

  it("layerFetch is Effect's fetch client", async () => {
    const server = await echo()
    const json = (await run(
      Effect.flatMap(HttpClient.get(server.url), (response) => response.json),
      NodeHttpClient.layerFetch
    )) as { method: string }
    expect(json.method).toBe("GET")
  })
})
