import { Effect, Exit, Layer } from "effect"
import * as Tracer from "effect/Tracer"
import { describe, expect, it } from "vitest"
import { KenarAuth, KenarClient, KenarError, Posts } from "../src/index.js"
import { ACCESS_TOKEN, API_KEY, clientLayer, type Script, scripted } from "./utils/scripted.js"

const failWith = async (script: ReadonlyArray<Script>, effect: Effect.Effect<unknown, unknown, any>) => {
  const transport = scripted(script)
  const exit = await Effect.runPromiseExit(
    effect.pipe(Effect.provide(clientLayer(transport.layer, { retry: false }))) as Effect.Effect<
      unknown,
      unknown
    >
  )
  expect(Exit.isFailure(exit)).toBe(true)
  return (exit as Exit.Failure<unknown, KenarError.KenarError>).cause.reasons.find(
    (r) => r._tag === "Fail"
  ) as any
}
const errorOf = async (script: ReadonlyArray<Script>, effect: Effect.Effect<unknown, unknown, any>) =>
  (await failWith(script, effect)).error as KenarError.KenarError

const getPost = Posts.getUserPost({ token: "AaEB0vbO" })

describe("API errors are classified by the body's gRPC code first", () => {
  it.each([
    [1, "CancelledError"],
    [2, "UnknownError"],
    [3, "InvalidArgumentError"],
    [4, "DeadlineExceededError"],
    [5, "NotFoundError"],
    [7, "PermissionDeniedError"],
    [8, "RateLimitedError"],
    [10, "AbortedByServerError"],
    [12, "UnimplementedError"],
    [13, "InternalError"],
    [14, "UnavailableError"],
    [15, "DataLossError"],
    [16, "UnauthenticatedError"]
  ])("code %i -> %s", async (code, tag) => {
    const error = await errorOf([{ status: 400, body: { code, message: "m", details: [] } }], getPost)
    expect(error).toMatchObject({
      _tag: tag,
      code,
      httpStatus: 400,
      statusBody: true,
      operation: "getUserPost"
    })
    expect(error).toBeInstanceOf(Error)
  })

  it("uses the code even when the HTTP status disagrees (HTTP 412 with code 9)", async () => {
    const error = await errorOf(
      [{ status: 412, body: { code: 9, message: "post is expired" } }],
      Posts.editPost({ post_token: "AaEB0vbO", title: "عنوان", description: "توضیح" })
    )
    expect(error).toBeInstanceOf(KenarError.FailedPreconditionError)
    expect(error).toMatchObject({
      status: "FAILED_PRECONDITION",
      message: "post is expired",
      httpStatus: 412
    })
  })

  it("falls back to the HTTP status without a Status body, e.g. an HTML 502 page", async () => {
    const error = await errorOf(
      [
        {
          status: 502,
          body: "<html><body>Bad Gateway</body></html>",
          headers: { "content-type": "text/html" }
        }
      ],
      getPost
    )
    expect(error).toMatchObject({ _tag: "UnavailableError", code: 14, httpStatus: 502, statusBody: false })
    expect(error.message).toContain("text/html")
    for (const [status, tag] of [
      [401, "UnauthenticatedError"],
      [403, "PermissionDeniedError"],
      [404, "NotFoundError"],
      [429, "RateLimitedError"],
      [500, "InternalError"],
      [504, "UnavailableError"],
      [418, "UnknownError"]
    ] as const) {
      expect(await errorOf([{ status, body: "" }], getPost)).toMatchObject({ _tag: tag, httpStatus: status })
    }
  })

  it("reports codes the operation does not declare, or unknown codes, as UnknownError keeping the code", async () => {
    const exists = await errorOf([{ status: 409, body: { code: 6, message: "exists" } }], getPost)
    expect(exists).toMatchObject({ _tag: "UnknownError", code: 6, status: "ALREADY_EXISTS" })
    const future = await errorOf([{ status: 400, body: { code: 42, message: "new" } }], getPost)
    expect(future).toMatchObject({ _tag: "UnknownError", code: 42, status: "UNKNOWN", message: "new" })
  })

  it("keeps details, the request id and Retry-After", async () => {
    const details = [
      { "@type": "type.googleapis.com/google.rpc.BadRequest", field_violations: [{ field: "title" }] }
    ]
    const error = await errorOf(
      [
        {
          status: 400,
          body: { code: 3, message: "title: too short", details },
          headers: { "x-request-id": "req-123", "retry-after": "Wed, 21 Oct 2065 07:28:00 GMT" }
        }
      ],
      getPost
    )
    expect(error).toMatchObject({ details, requestId: "req-123" })
    expect((error as KenarError.InvalidArgumentError).retryAfterMillis).toBeGreaterThan(0)
  })

  it("tells the daily quota from the per-minute limit", async () => {
    const limitOf = async (message: string) =>
      ((await errorOf([{ status: 429, body: { code: 8, message } }], getPost)) as KenarError.RateLimitedError)
        .limit
    expect(await limitOf("daily quota exceeded")).toBe("daily")
    expect(await limitOf("rate limit exceeded: 600 requests per minute")).toBe("minute")
    expect(await limitOf("slow down")).toBe("unknown")
  })
})

describe("transport errors say whether the request may have reached Kenar", () => {
  it.each([
    ["ECONNREFUSED", "ConnectionRefused", false],
    ["ENOTFOUND", "DnsFailure", false],
    ["UND_ERR_CONNECT_TIMEOUT", "ConnectTimeout", false],
    ["ECONNRESET", "ConnectionReset", true],
    ["UND_ERR_SOCKET", "ConnectionReset", true],
    ["ESOMETHINGELSE", "Unknown", true]
  ])("%s -> %s (reached: %s)", async (code, reason, reached) => {
    const error = await errorOf([{ fail: { code } }], getPost)
    expect(error).toMatchObject({ _tag: "TransportError", reason, mayHaveReachedServer: reached, attempt: 1 })
  })
})

describe("credentials", () => {
  it("fails before I/O when an OAuth operation has no access token", async () => {
    const transport = scripted([{ status: 200, body: {} }])
    const layer = KenarClient.layer({ baseUrl: "http://kenar.test" }).pipe(
      Layer.provide(KenarAuth.layer({ apiKey: API_KEY })),
      Layer.provide(transport.layer)
    )
    const exit = await Effect.runPromiseExit(
      Posts.getUserPost({ token: "AaEB0vbO" }).pipe(Effect.provide(layer))
    )
    expect(transport.requests).toHaveLength(0)
    expect(exit).toMatchObject({ _tag: "Failure" })
    const error = (exit as any).cause.reasons[0].error
    expect(error).toMatchObject({ _tag: "CredentialError", credential: "accessToken" })
    expect(error.message).toContain("USER_POSTS_GET")
    // API-key-only operations still work without a token
    await Effect.runPromise(Posts.getUploadUrls().pipe(Effect.provide(layer)))
    expect(transport.requests[0]!.headers).toMatchObject({ "x-api-key": API_KEY })
    expect(transport.requests[0]!.headers).not.toHaveProperty("authorization")
  })

  it("sends the API key and bearer token, and a per-call token overrides the source", async () => {
    const transport = scripted([{ status: 200, body: {} }])
    await Effect.runPromise(
      Effect.all([
        Posts.deleteUserPost({ post_token: "AaEB0vbO" }),
        Posts.deleteUserPost({ post_token: "AaEB0vbO" }, { accessToken: "per-call-token" })
      ]).pipe(Effect.provide(clientLayer(transport.layer)))
    )
    expect(transport.requests[0]!.headers).toMatchObject({
      "x-api-key": API_KEY,
      authorization: `Bearer ${ACCESS_TOKEN}`
    })
    expect(transport.requests[1]!.headers.authorization).toBe("Bearer per-call-token")
  })

  it("asks a token function with the scopes the call needs, resource scopes filled in", async () => {
    const asked: Array<ReadonlyArray<string> | undefined> = []
    const transport = scripted([{ status: 200, body: {} }])
    const layer = KenarClient.layer({ baseUrl: "http://kenar.test" }).pipe(
      Layer.provide(
        KenarAuth.layer({
          apiKey: API_KEY,
          accessToken: async (context) => {
            asked.push(context.scopes)
            return "fresh-token"
          }
        })
      ),
      Layer.provide(transport.layer)
    )
    await Effect.runPromise(
      Posts.editPostV2({
        post_token: "AaEB0vbO",
        update_mask: ["general_data.title"],
        general_data: { title: "x" }
      }).pipe(Effect.provide(layer))
    )
    expect(asked).toEqual([["EDIT_USER_POST", "POST_EDIT.AaEB0vbO"]])
    expect(transport.requests[0]!.headers.authorization).toBe("Bearer fresh-token")
  })

  it("a failing token source is a CredentialError, not a crash", async () => {
    const transport = scripted([{ status: 200, body: {} }])
    const layer = KenarClient.layer({ baseUrl: "http://kenar.test" }).pipe(
      Layer.provide(
        KenarAuth.layer({
          apiKey: API_KEY,
          accessToken: () => {
            throw new Error(`db down ${ACCESS_TOKEN}`)
          }
        })
      ),
      Layer.provide(transport.layer)
    )
    const exit = await Effect.runPromiseExit(
      Posts.getUserPost({ token: "AaEB0vbO" }).pipe(Effect.provide(layer))
    )
    const error = (exit as any).cause.reasons[0].error
    expect(error).toMatchObject({ _tag: "CredentialError", credential: "accessToken" })
    expect(JSON.stringify(error) + String(error) + error.message).not.toContain(ACCESS_TOKEN)
  })
})

describe("observability", () => {
  it("wraps each call in a span named after the operation with the route template, status and attempts", async () => {
    const spans: Array<Tracer.NativeSpan> = []
    const tracer = Tracer.make({
      span(options) {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      }
    })
    const transport = scripted([
      { status: 503, body: { code: 14, message: "later" } },
      { status: 200, body: {} }
    ])
    await Effect.runPromise(
      Posts.getPostStats({ post_token: "AaEB0vbO" }).pipe(
        Effect.provide(clientLayer(transport.layer, { retry: { baseDelay: 1 } })),
        Effect.provideService(Tracer.Tracer, tracer)
      )
    )
    const span = spans.find((s) => s.name === "kenar.getPostStats")!
    expect(Object.fromEntries(span.attributes)).toEqual({
      "kenar.operation": "getPostStats",
      "kenar.operation_id": "Post_GetPostStats",
      "http.request.method": "GET",
      "http.route": "/experimental/open-platform/posts/{post_token}/stats",
      "http.response.status_code": 200,
      "kenar.attempts": 2,
      "kenar.outcome": "success"
    })
    const everything = JSON.stringify(spans.map((s) => [s.name, [...s.attributes]]))
    expect(everything).not.toContain("AaEB0vbO")
    expect(everything).not.toContain(API_KEY)
    expect(everything).not.toContain(ACCESS_TOKEN)
  })

  it("never puts the API key or token in any error, its JSON or its string form", async () => {
    const scripts: ReadonlyArray<ReadonlyArray<Script>> = [
      [{ status: 401, body: { code: 16, message: "unauthenticated" } }],
      [{ status: 502, body: "<html>x</html>" }],
      [{ fail: { code: "ECONNRESET" } }],
      [{ status: 200, body: "{" }]
    ]
    for (const script of scripts) {
      const failure = await failWith(script, getPost)
      const error = failure.error
      const text = [
        String(error),
        JSON.stringify(error),
        error.message,
        error.stack,
        Object.values(error).join(" ")
      ].join("\n")
      expect(text).not.toContain(API_KEY)
      expect(text).not.toContain(ACCESS_TOKEN)
    }
  })
})
