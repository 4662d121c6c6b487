/**
 * The direct undici transport (`KenarTransport` attached to the lean
 * `HttpClient` by `fromDispatcherLean`), over real node:http servers on
 * 127.0.0.1: what is sent (query, body, hash), what comes back (status,
 * headers, text), the deadline, interruption, and how failures are
 * classified. A scripted dispatcher checks what real sockets cannot show
 * deterministically: aborts happen once, late answers are dropped.
 * Then through the full client: timeouts, refused connections, and a user's
 * wrapped `HttpClient` (which must be used as it is, not bypassed).
 *
 * The regression tests below (their comments say "found here") cover defects
 * this file first showed in the transport, since fixed.
 */
import { EventEmitter } from "node:events"
import { Readable } from "node:stream"
import { type KenarClient, KenarError, KenarTransport, Posts } from "@kenar/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import { Agent, type Dispatcher } from "undici"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import { NodeHttpClient, NodeKenarClient } from "../src/index.js"
import { transportFromDispatcher } from "../src/internal/undiciClient.js"
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

const agent = new Agent({ keepAliveTimeout: 1_000 })
afterAll(async () => {
  await agent.destroy()
})

// The transport as NodeKenarClient gets it: attached to the lean HttpClient.
const transport = KenarTransport.attached(NodeHttpClient.fromDispatcherLean(agent))!

const send = (request: HttpClientRequest.HttpClientRequest, timeoutMillis = 5_000) =>
  Effect.runPromiseExit(transport.send(KenarTransport.fromHttpClientRequest(request), timeoutMillis))

/** The transport over a dispatcher, sent requests built with effect's `HttpClientRequest`. */
const sendVia = (dispatcher: Parameters<typeof transportFromDispatcher>[0]) => {
  const { send } = transportFromDispatcher(dispatcher)
  return (request: HttpClientRequest.HttpClientRequest, timeoutMillis: number) =>
    send(KenarTransport.fromHttpClientRequest(request), timeoutMillis)
}

const answerOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected an answer, got ${String(exit.cause)}`)
  return exit.value
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") throw new Error(`expected a Fail reason: ${exit.cause}`)
  return reason.error
}

const codeOf = (cause: unknown): unknown => (cause as { code?: unknown } | undefined)?.code

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

describe("KenarTransport over undici (real servers)", () => {
  it("is attached to the lean client only", () => {
    expect(KenarTransport.attached(NodeHttpClient.fromDispatcherLean(agent))).toBeDefined()
    expect(KenarTransport.attached(NodeHttpClient.fromDispatcher(agent))).toBeUndefined()
  })

  it("returns status, lower-case headers (repeated ones joined) and the UTF-8 text", async () => {
    const text = "سلام دنیا، آگهی ۱۲۳ — ok"
    const server = await serve((_request, response) => {
      response.setHeader("X-Request-Id", "req-42")
      response.setHeader("X-Multi", ["one", "two"])
      response.setHeader("Set-Cookie", ["a=1; Path=/", "b=2; Path=/"])
      response.writeHead(201, { "Content-Type": "text/plain; charset=utf-8" })
      response.end(text)
    })
    const answer = answerOf(await send(HttpClientRequest.get(`${server.url}/ok`)))
    expect(answer.status).toBe(201)
    expect(answer.text).toBe(text)
    expect(answer.headers["x-request-id"]).toBe("req-42")
    expect(answer.headers["x-multi"]).toBe("one, two")
    expect(answer.headers["set-cookie"]).toBe("a=1; Path=/, b=2; Path=/")
    expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8")
    for (const name of Object.keys(answer.headers)) expect(name).toBe(name.toLowerCase())
    expect(Object.values(answer.headers).every((value) => typeof value === "string")).toBe(true)
  })

  it("an informational 103 before the answer is not taken for the answer", async () => {
    const server = await serve((_request, response) => {
      response.writeEarlyHints({ link: "</style.css>; rel=preload" })
      setTimeout(() => respondJson(response, 200, { ok: true }, { "x-final": "yes" }), 20)
    })
    const answer = answerOf(await send(HttpClientRequest.get(`${server.url}/hints`)))
    expect(answer.status).toBe(200)
    expect(answer.headers["x-final"]).toBe("yes")
    expect(JSON.parse(answer.text)).toEqual({ ok: true })
  })

  it("strips a UTF-8 BOM, and decodes a character split across chunks", async () => {
    const persian = Buffer.from("آگهی", "utf8")
    const server = await serve((request, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      if (request.url === "/bom") return void response.end(Buffer.from('\uFEFF{"title":"پراید"}', "utf8"))
      if (request.url === "/only-bom") return void response.end(Buffer.from([0xef, 0xbb, 0xbf]))
      if (request.url === "/empty") return void response.end()
      // the first chunk ends in the middle of a two-byte character
      response.write(persian.subarray(0, 3))
      setTimeout(() => response.end(persian.subarray(3)), 30)
    })
    const bom = answerOf(await send(HttpClientRequest.get(`${server.url}/bom`)))
    expect(bom.text).toBe('{"title":"پراید"}')
    expect(JSON.parse(bom.text)).toEqual({ title: "پراید" })
    expect(answerOf(await send(HttpClientRequest.get(`${server.url}/only-bom`))).text).toBe("")
    expect(answerOf(await send(HttpClientRequest.get(`${server.url}/empty`))).text).toBe("")
    expect(answerOf(await send(HttpClientRequest.get(`${server.url}/split`))).text).toBe("آگهی")
  })

  it("sends query parameters set with setUrlParam, after any query already in the URL", async () => {
    const server = await serve((_request, response) => respondJson(response, 200, {}))
    const request = HttpClientRequest.get(`${server.url}/search?page=2`).pipe(
      HttpClientRequest.setUrlParam("q", "پراید & co=1"),
      HttpClientRequest.appendUrlParam("tag", "a"),
      HttpClientRequest.appendUrlParam("tag", "b")
    )
    answerOf(await send(request))
    const url = new URL(server.seen[0]!.url, server.url)
    expect(url.pathname).toBe("/search")
    expect(url.searchParams.get("page")).toBe("2")
    expect(url.searchParams.get("q")).toBe("پراید & co=1")
    expect(url.searchParams.getAll("tag")).toEqual(["a", "b"])

    answerOf(await send(HttpClientRequest.setUrlParam(HttpClientRequest.get(`${server.url}/p`), "x", "1")))
    expect(server.seen[1]!.url).toBe("/p?x=1")
  })

  it("does not send a URL's hash", async () => {
    const server = await serve((_request, response) => respondJson(response, 200, {}))
    answerOf(await send(HttpClientRequest.get(`${server.url}/p?y=2#fragment`)))
    answerOf(await send(HttpClientRequest.setHash(HttpClientRequest.get(`${server.url}/q`), "frag")))
    answerOf(await send(HttpClientRequest.get(new URL(`${server.url}/r?z=3#frag`).href)))
    expect(server.seen.map((seen) => seen.url)).toEqual(["/p?y=2", "/q", "/r?z=3"])
  })

  // Found here: with a '#' in the URL string, the query parameters were appended after the
  // fragment ("…/p#frag?x=1"), so they ended up in the hash and were never sent. The transport
  // now cuts the fragment off first, as effect's Url.make does.
  it("keeps query parameters when the URL string carries a #fragment", async () => {
    const server = await serve((_request, response) => respondJson(response, 200, {}))
    answerOf(
      await send(HttpClientRequest.setUrlParam(HttpClientRequest.get(`${server.url}/p#frag`), "x", "1"))
    )
    expect(server.seen[0]!.url).toBe("/p?x=1")
  })

  // Found here: the fast path sent the text after the origin as the path, unnormalised, and
  // whether it was taken depended on the first URL seen for that origin. It is now taken only
  // for paths URL parsing would leave as they are (Kenar's own calls); others go through
  // `new URL`, so a path is sent the same way whatever came before.
  it("sends a path as effect's HttpClient would (normalised), whatever was sent before", async () => {
    const outcomesOn = async (server: TestServer) => {
      const outcomes: Array<string> = []
      for (const path of ["/a b", "/آگهی", "/a/../b"]) {
        const exit = await send(HttpClientRequest.get(server.url + path))
        outcomes.push(
          Exit.isSuccess(exit) ? server.seen.at(-1)!.url : `failed: ${codeOf(failureOf(exit).cause)}`
        )
      }
      return outcomes
    }
    const expected = ["/a%20b", "/%D8%A2%DA%AF%D9%87%DB%8C", "/b"] // what `new URL` (effect's Url.make) gives
    const fresh = await outcomesOn(await serve((_request, response) => respondJson(response, 200, {})))
    // the same paths on an origin whose first request had a fragment
    const other = await serve((_request, response) => respondJson(response, 200, {}))
    answerOf(await send(HttpClientRequest.get(`${other.url}/first#fragment`)))
    const afterFragment = await outcomesOn(other)
    expect({ fresh, afterFragment }).toEqual({ fresh: expected, afterFragment: expected })
  })

  it("sends a POST body intact, with its content type", async () => {
    const server = await serve((_request, response, body) =>
      respondJson(response, 200, { length: body.length })
    )
    const text = JSON.stringify({ title: "پراید ۱۳۹۰", emoji: "🚗", nested: { a: [1, 2, 3] } })
    const exit = await send(
      HttpClientRequest.bodyText(
        HttpClientRequest.post(`${server.url}/posts`),
        text,
        "application/json; charset=utf-8"
      )
    )
    expect(answerOf(exit).status).toBe(200)
    const seen = server.seen[0]!
    expect(seen.method).toBe("POST")
    expect(seen.body.toString("utf8")).toBe(text)
    expect(seen.headers["content-type"]).toBe("application/json; charset=utf-8")
    expect(Number(seen.headers["content-length"])).toBe(Buffer.byteLength(text))

    // a call's body is text: bytes that are not UTF-8 cannot become a request's body
    const bytes = new Uint8Array([0, 1, 2, 254, 255])
    expect(() =>
      KenarTransport.fromHttpClientRequest(
        HttpClientRequest.bodyUint8Array(HttpClientRequest.put(`${server.url}/bytes`), bytes)
      )
    ).toThrow(TypeError)
    expect(server.seen).toHaveLength(1)
  })

  it("returns a 302 as it is: the redirect is not followed", async () => {
    const elsewhere = await serve((_request, response) => respondJson(response, 200, { followed: true }))
    const server = await serve((_request, response) => {
      response.writeHead(302, { location: `${elsewhere.url}/stolen`, "content-length": "0" })
      response.end()
    })
    const answer = answerOf(await send(HttpClientRequest.get(`${server.url}/moved`)))
    expect(answer.status).toBe(302)
    expect(answer.headers.location).toBe(`${elsewhere.url}/stolen`)
    await sleep(50)
    expect(elsewhere.seen).toHaveLength(0)
    expect(elsewhere.connections()).toBe(0)
  })

  it("fails with phase timeout near the deadline when no answer comes, and aborts the request", async () => {
    const server = await serve(() => {}, { raw: true })
    const started = performance.now()
    const failure = failureOf(await send(HttpClientRequest.get(`${server.url}/hang`), 150))
    const elapsed = performance.now() - started
    expect(failure).toMatchObject({ _tag: "TransportFailure", phase: "timeout" })
    expect(elapsed).toBeGreaterThanOrEqual(140)
    expect(elapsed).toBeLessThan(1_000)
    await server.waitClosed(1)
    expect(server.closed()).toBe(1)
  })

  it("the deadline covers the body: headers then a stalled body time out too", async () => {
    const server = await serve(
      (_request, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        response.write('{"partial":')
      },
      { raw: true }
    )
    const started = performance.now()
    const failure = failureOf(await send(HttpClientRequest.get(`${server.url}/stall`), 200))
    expect(failure.phase).toBe("timeout")
    expect(performance.now() - started).toBeLessThan(1_500)
    await server.waitClosed(1)
  })

  // Found here: the deadline was one setTimeout, and Node fires a delay above 2^31-1 ms
  // (Infinity included) after 1 ms, so `timeout: Duration.infinity` timed every call out at
  // once. Long deadlines are now re-armed in steps and infinite ones set no timer.
  it("a deadline longer than 2^31-1 ms (or infinite) does not fire at once", async () => {
    const server = await serve((_request, response) => {
      setTimeout(() => respondJson(response, 200, { late: false }), 60)
    })
    for (const timeout of [Number.POSITIVE_INFINITY, 30 * 24 * 60 * 60 * 1000, 2 ** 31]) {
      const exit = await send(HttpClientRequest.get(`${server.url}/slow`), timeout)
      expect(Exit.isSuccess(exit) ? exit.value.status : failureOf(exit)).toBe(200)
    }
  })

  it("interruption while waiting aborts the request: the server sees the socket close", async () => {
    const server = await serve(() => {}, { raw: true })
    const fiber = Effect.runFork(
      transport.send(
        KenarTransport.fromHttpClientRequest(HttpClientRequest.get(`${server.url}/slow`)),
        10_000
      )
    )
    await server.waitRequests(1)
    await Effect.runPromise(Fiber.interrupt(fiber))
    const exit = await Effect.runPromise(Fiber.await(fiber))
    expect(Exit.hasInterrupts(exit)).toBe(true)
    expect(Exit.hasFails(exit)).toBe(false)
    await server.waitClosed(1)
    expect(server.closed()).toBe(1)
  })

  it("interruption while the body is read aborts the request too", async () => {
    const server = await serve(
      (_request, response) => {
        response.writeHead(200, { "content-length": "1000" })
        response.write("x".repeat(10))
      },
      { raw: true }
    )
    const fiber = Effect.runFork(
      transport.send(
        KenarTransport.fromHttpClientRequest(HttpClientRequest.get(`${server.url}/body`)),
        10_000
      )
    )
    await server.waitRequests(1)
    await sleep(50)
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(Exit.hasInterrupts(await Effect.runPromise(Fiber.await(fiber)))).toBe(true)
    await server.waitClosed(1)
  })

  it("a refused connection fails with phase request and the ECONNREFUSED cause", async () => {
    const port = await closedPort()
    const failure = failureOf(await send(HttpClientRequest.get(`http://127.0.0.1:${port}/`)))
    expect(failure.phase).toBe("request")
    expect(codeOf(failure.cause)).toBe("ECONNREFUSED")
  })

  it("a socket destroyed in the middle of the body fails with phase body", async () => {
    const server = await serve(
      (request, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        response.write('{"general_data":{"title":"')
        setTimeout(() => request.socket.destroy(), 30)
      },
      { raw: true }
    )
    const failure = failureOf(await send(HttpClientRequest.get(`${server.url}/cut`)))
    expect(failure.phase).toBe("body")
    expect(failure.cause).toBeInstanceOf(Error)
  })

  it("a socket destroyed before the answer fails with phase request", async () => {
    const server = await serve((request) => request.socket.destroy(), { raw: true })
    const failure = failureOf(await send(HttpClientRequest.get(`${server.url}/reset`)))
    expect(failure.phase).toBe("request")
    expect(["UND_ERR_SOCKET", "ECONNRESET"]).toContain(codeOf(failure.cause))
  })

  it("an invalid header value (or name) is a request failure, not a crash, and nothing is sent", async () => {
    const server = await serve((_request, response) => respondJson(response, 200, {}))
    const bad = [
      HttpClientRequest.setHeader(HttpClientRequest.get(`${server.url}/h`), "x-bad", "a\r\nx-injected: 1"),
      HttpClientRequest.setHeader(HttpClientRequest.get(`${server.url}/h`), "x bad", "a"),
      HttpClientRequest.setHeader(HttpClientRequest.get(`${server.url}/h`), "x-nul", "a\u0000b")
    ]
    for (const request of bad) {
      const failure = failureOf(await send(request))
      expect(failure.phase).toBe("request")
      expect(failure.cause).toBeInstanceOf(Error)
    }
    expect(server.seen).toHaveLength(0)
    // the transport still works afterwards
    expect(answerOf(await send(HttpClientRequest.get(`${server.url}/fine`))).status).toBe(200)
  })

  it("an invalid URL is a request failure; a body that is not text cannot become a request", async () => {
    const relative = failureOf(await send(HttpClientRequest.get("/relative/only")))
    expect(relative.phase).toBe("request")
    expect(() =>
      KenarTransport.fromHttpClientRequest(
        HttpClientRequest.bodyFormData(HttpClientRequest.post("http://127.0.0.1:9/x"), new FormData())
      )
    ).toThrow(TypeError)
  })
})

// ----------------------------------------------------------------------------- a scripted dispatcher

/**
 * One request the transport handed to the scripted dispatcher, through
 * `dispatcher.request` (callback and Readable body) or `dispatcher.dispatch`
 * (a handler), whichever the transport uses; the test drives the answer.
 */
interface Sent {
  readonly options: Dispatcher.RequestOptions | Dispatcher.DispatchOptions
  /** How many times the transport asked undici to abort the request. */
  readonly aborts: () => number
  /** Delivers a whole answer; returns the Readable body given to a `request` callback, if any. */
  readonly answer: (status: number, headers: Record<string, string>, text: string) => Readable | undefined
  /** Delivers the head and a first chunk of a body, then nothing. */
  readonly partial: (status: number, chunk: string) => void
  /** Fails the request (or its body, after `partial`). */
  readonly fail: (error: Error) => void
}

type LegacyHandler = {
  onConnect?: (abort: (reason?: Error) => void) => void
  onHeaders?: (status: number, raw: Array<Buffer>, resume: () => void, statusText: string) => boolean
  onData?: (chunk: Buffer) => boolean
  onComplete?: (trailers: Array<Buffer>) => void
  onError?: (error: Error) => void
  onRequestStart?: (controller: unknown, context: unknown) => void
  onResponseStart?: (controller: unknown, status: number, headers: object, statusText: string) => void
  onResponseData?: (controller: unknown, chunk: Buffer) => void
  onResponseEnd?: (controller: unknown, trailers: object) => void
  onResponseError?: (controller: unknown, error: Error) => void
}

const scriptedDispatcher = () => {
  const pending: Array<Sent> = []
  const fromRequest = (
    options: Dispatcher.RequestOptions,
    callback: (error: Error | null, data?: Dispatcher.ResponseData) => void
  ): Sent => {
    let aborts = 0
    const signal = options.signal as EventEmitter | AbortSignal | undefined
    if (signal instanceof EventEmitter) signal.on("abort", () => aborts++)
    else signal?.addEventListener("abort", () => aborts++)
    let body: Readable | undefined
    const data = (status: number, headers: Record<string, string>, readable: Readable) =>
      ({
        statusCode: status,
        headers,
        body: readable,
        trailers: {},
        opaque: null,
        context: {}
      }) as unknown as Dispatcher.ResponseData
    return {
      options,
      aborts: () => aborts,
      answer: (status, headers, text) => {
        const readable = Readable.from([Buffer.from(text)])
        callback(null, data(status, headers, readable))
        return readable
      },
      partial: (status, chunk) => {
        body = new Readable({ read() {} })
        callback(null, data(status, {}, body))
        body.push(chunk)
      },
      fail: (error) => {
        if (body !== undefined) body.destroy(error)
        else callback(error)
      }
    }
  }
  const fromDispatch = (options: Dispatcher.DispatchOptions, handler: LegacyHandler): Sent => {
    let aborts = 0
    const abort = () => void aborts++
    const controller = { abort, pause() {}, resume() {}, aborted: false, paused: false }
    if (handler.onConnect !== undefined) handler.onConnect(abort)
    else handler.onRequestStart?.(controller, {})
    const head = (status: number, headers: Record<string, string>) => {
      if (handler.onHeaders !== undefined) {
        const raw = Object.entries(headers).flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)])
        handler.onHeaders(status, raw, () => {}, "")
      } else handler.onResponseStart?.(controller, status, headers, "")
    }
    const data = (chunk: string) => {
      if (handler.onData !== undefined) handler.onData(Buffer.from(chunk))
      else handler.onResponseData?.(controller, Buffer.from(chunk))
    }
    return {
      options,
      aborts: () => aborts,
      answer: (status, headers, text) => {
        head(status, headers)
        data(text)
        if (handler.onComplete !== undefined) handler.onComplete([])
        else handler.onResponseEnd?.(controller, {})
        return undefined
      },
      partial: (status, chunk) => {
        head(status, {})
        data(chunk)
      },
      fail: (error) => {
        if (handler.onError !== undefined) handler.onError(error)
        else handler.onResponseError?.(controller, error)
      }
    }
  }
  const dispatcher = {
    request(options: Dispatcher.RequestOptions, callback: Parameters<typeof fromRequest>[1]) {
      pending.push(fromRequest(options, callback))
    },
    dispatch(options: Dispatcher.DispatchOptions, handler: LegacyHandler) {
      pending.push(fromDispatch(options, handler))
      return true
    }
  } as unknown as Dispatcher
  /** Resolves once the transport has handed its request to the dispatcher. */
  const sent = async (): Promise<Sent> => {
    for (let i = 0; i < 200 && pending.length === 0; i++) await sleep(1)
    expect(pending).toHaveLength(1)
    return pending[0]!
  }
  return { dispatcher, sent }
}

describe("KenarTransport over undici (scripted dispatcher)", () => {
  it("splits origin and path, and passes method, headers and body to undici", async () => {
    const { dispatcher, sent } = scriptedDispatcher()
    const send = sendVia(dispatcher)
    const request = HttpClientRequest.bodyText(
      HttpClientRequest.post("http://kenar.test:8080/v1/x?a=1"),
      '{"k":"v"}',
      "application/json"
    ).pipe(HttpClientRequest.setUrlParam("b", "2"), HttpClientRequest.setHeader("x-api-key", "k"))
    const fiber = Effect.runFork(send(request, 1_000))
    const call = await sent()
    const options = call.options
    expect(options.origin).toBe("http://kenar.test:8080")
    expect(options.path).toBe("/v1/x?a=1&b=2")
    expect(options.method).toBe("POST")
    expect((options.headers as Record<string, string>)["x-api-key"]).toBe("k")
    expect((options.headers as Record<string, string>)["content-type"]).toBe("application/json")
    expect(Buffer.from(options.body as Uint8Array | string).toString()).toBe('{"k":"v"}')
    call.answer(200, { "x-request-id": "r1" }, '{"ok":true}')
    expect(answerOf(await Effect.runPromise(Fiber.await(fiber)))).toMatchObject({
      status: 200,
      headers: { "x-request-id": "r1" },
      text: '{"ok":true}'
    })
    expect(call.aborts()).toBe(0)
  })

  it("interruption aborts once; a late answer is dropped (its body destroyed), nothing throws", async () => {
    const { dispatcher, sent } = scriptedDispatcher()
    const send = sendVia(dispatcher)
    let settled = 0
    const fiber = Effect.runFork(
      send(HttpClientRequest.get("http://kenar.test/late"), 10_000).pipe(
        Effect.onExit(() => Effect.sync(() => settled++))
      )
    )
    const call = await sent()
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(call.aborts()).toBe(1)
    const body = call.answer(200, {}, '{"late":true}')
    call.fail(new Error("and a late error"))
    await sleep(10)
    if (body !== undefined) expect(body.destroyed).toBe(true)
    const exit = await Effect.runPromise(Fiber.await(fiber))
    expect(Exit.hasInterrupts(exit)).toBe(true)
    expect(Exit.isSuccess(exit)).toBe(false)
    expect(settled).toBe(1)
    expect(call.aborts()).toBe(1)
  })

  it("the deadline fails with phase timeout, aborts once, and drops the late answer", async () => {
    const { dispatcher, sent } = scriptedDispatcher()
    const send = sendVia(dispatcher)
    let settled = 0
    const fiber = Effect.runFork(
      send(HttpClientRequest.get("http://kenar.test/slow"), 50).pipe(
        Effect.onExit(() => Effect.sync(() => settled++))
      )
    )
    const call = await sent()
    const exit = await Effect.runPromise(Fiber.await(fiber))
    expect(failureOf(exit)).toMatchObject({ phase: "timeout" })
    expect(call.aborts()).toBe(1)
    const body = call.answer(200, {}, "{}")
    await sleep(10)
    if (body !== undefined) expect(body.destroyed).toBe(true)
    expect(settled).toBe(1)
    expect(call.aborts()).toBe(1)
  })

  it("a body failing after the deadline is ignored (no second outcome, no unhandled error)", async () => {
    const { dispatcher, sent } = scriptedDispatcher()
    const send = sendVia(dispatcher)
    const fiber = Effect.runFork(send(HttpClientRequest.get("http://kenar.test/body"), 50))
    const call = await sent()
    call.partial(200, '{"partial":')
    const exit = await Effect.runPromise(Fiber.await(fiber))
    expect(failureOf(exit)).toMatchObject({ phase: "timeout" })
    call.fail(new Error("socket closed"))
    await sleep(10)
    expect(call.aborts()).toBe(1)
  })

  it("a failure after the head is phase body; before it, phase request", async () => {
    for (const [partial, phase] of [
      [true, "body"],
      [false, "request"]
    ] as const) {
      const { dispatcher, sent } = scriptedDispatcher()
      const fiber = Effect.runFork(
        transportFromDispatcher(dispatcher).send(
          KenarTransport.fromHttpClientRequest(HttpClientRequest.get("http://kenar.test/x")),
          1_000
        )
      )
      const call = await sent()
      if (partial) call.partial(200, "{")
      const error = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })
      call.fail(error)
      const failure = failureOf(await Effect.runPromise(Fiber.await(fiber)))
      expect(failure).toMatchObject({ phase })
      expect(codeOf(failure.cause)).toBe("UND_ERR_SOCKET")
    }
  })

  it("a synchronous throw of the dispatcher is a request failure", async () => {
    const boom = () => {
      throw new TypeError("boom")
    }
    const dispatcher = { request: boom, dispatch: boom } as unknown as Dispatcher
    const failure = failureOf(
      await Effect.runPromiseExit(
        transportFromDispatcher(dispatcher).send(
          KenarTransport.fromHttpClientRequest(HttpClientRequest.get("http://kenar.test/")),
          1_000
        )
      )
    )
    expect(failure).toMatchObject({ phase: "request" })
    expect(failure.cause).toBeInstanceOf(TypeError)
  })
})

// ----------------------------------------------------------------------------- through the client

const API_KEY = "sk-test-transport"
const accessToken = "oauth-test-token"

describe("NodeKenarClient over the direct transport", () => {
  const call = <E>(layer: Layer.Layer<KenarClient.KenarClient, E>) =>
    Effect.runPromiseExit(Effect.provide(Posts.getUserPost({ token: "AaEB0vbO" }), layer))

  it("a timeout is a TransportError with reason Timeout", async () => {
    const server = await serve(() => {}, { raw: true })
    const layer = NodeKenarClient.layer({
      apiKey: API_KEY,
      accessToken,
      baseUrl: server.url,
      timeout: "150 millis",
      retry: false
    })
    const started = performance.now()
    const error = failureOf(await call(layer))
    expect(error).toBeInstanceOf(KenarError.TransportError)
    expect(error).toMatchObject({ reason: "Timeout", mayHaveReachedServer: true })
    expect(performance.now() - started).toBeLessThan(2_000)
    await server.waitClosed(1)
  })

  it("a refused connection is a TransportError that did not reach the server", async () => {
    const port = await closedPort()
    const layer = NodeKenarClient.layer({
      apiKey: API_KEY,
      accessToken,
      baseUrl: `http://127.0.0.1:${port}`,
      retry: false
    })
    const error = failureOf(await call(layer))
    expect(error).toBeInstanceOf(KenarError.TransportError)
    expect(error).toMatchObject({ reason: "ConnectionRefused", mayHaveReachedServer: false })
  })

  it("timeout: Duration.infinity (or 30 days) does not time every call out at once", async () => {
    const server = await serve((_request, response) => {
      setTimeout(() => respondJson(response, 200, { state: "POST_STATE_PUBLISHED" }), 60)
    })
    for (const timeout of [Duration.infinity, Duration.days(30)]) {
      const layer = NodeKenarClient.layer({
        apiKey: API_KEY,
        accessToken,
        baseUrl: server.url,
        timeout,
        retry: false
      })
      const exit = await call(layer)
      expect(Exit.isSuccess(exit) ? exit.value.state : failureOf(exit)).toBe("POST_STATE_PUBLISHED")
    }
  })

  it("a user's wrapped HttpClient is used as it is: the attached transport is not taken", async () => {
    const server = await serve((_request, response) =>
      respondJson(response, 200, { state: "POST_STATE_PUBLISHED" })
    )
    let wrapped = 0
    const wrappedHttp = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, (client) => {
        const derived = HttpClient.mapRequest(client, (request) => {
          wrapped++
          return HttpClientRequest.setHeader(request, "x-wrapped-by", "user")
        })
        // the derived client carries no transport of its own
        expect(KenarTransport.attached(client)).toBeDefined()
        expect(KenarTransport.attached(derived)).toBeUndefined()
        return derived
      })
    ).pipe(Layer.provide(NodeHttpClient.layerWith({ lean: true })))
    const layer = NodeKenarClient.layerWithoutHttpClient({
      apiKey: API_KEY,
      accessToken,
      baseUrl: server.url,
      retry: false
    }).pipe(Layer.provide(wrappedHttp))
    const exit = await call(layer)
    expect(Exit.isSuccess(exit) && exit.value.state).toBe("POST_STATE_PUBLISHED")
    expect(wrapped).toBe(1)
    expect(server.seen[0]!.headers["x-wrapped-by"]).toBe("user")
    expect(server.seen[0]!.headers["x-api-key"]).toBe(API_KEY)

    // control: the unwrapped lean client takes the attached transport, which sends no such header
    const direct = NodeKenarClient.layer({ apiKey: API_KEY, accessToken, baseUrl: server.url, retry: false })
    expect(Exit.isSuccess(await call(direct))).toBe(true)
    expect(server.seen[1]!.headers["x-wrapped-by"]).toBeUndefined()
    expect(wrapped).toBe(1)
  })
})
