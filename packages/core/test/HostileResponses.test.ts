/**
 * Hostile responses, property-based (fast-check): for every operation, random
 * and malformed answers (wrong types, missing fields, unknown enums, unknown
 * fields, deep nesting, very large bodies, invalid UTF-8, empty 200s, HTML,
 * `google.rpc.Status` with unknown or wrong-typed codes, odd Retry-After
 * headers) each end in a value or a typed error: never a defect, never a
 * hang. Errors built from them can be printed and serialised. Seeded: FC_SEED, FC_RUNS.
 */
import { Effect, Exit, Layer } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { KenarAuth, KenarClient, KenarError, Posts } from "../src/index.js"

const SEED = Number(process.env.FC_SEED ?? 777)
const RUNS = Number(process.env.FC_RUNS ?? 150)

interface Answer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: Uint8Array | string | null
}

/** A transport that answers every request with the answer in hand. */
const answering = (answer: () => Answer) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => {
        const { status, headers, body } = answer()
        const nullBody = status === 204 || status === 205 || status === 304
        return HttpClientResponse.fromWeb(
          request,
          new Response(nullBody ? null : (body as BodyInit | null), { status, headers })
        )
      })
    )
  )

const inputs: { readonly [K in keyof Posts.All]: object } = {
  canUserSubmitPost: {},
  getUploadUrls: {},
  getImageUploadUrl: {},
  getUserPost: { token: "AaEB0vbO" },
  getPostStats: { post_token: "AaEB0vbO" },
  deleteUserPost: { post_token: "AaEB0vbO" },
  deletePostCustomizedButton: { post_token: "AaEB0vbO" },
  deleteBusinessCustomizedButton: { business_token: "KmqjYFy7s" },
  setPostCustomizedButton: {
    post_token: "AaEB0vbO",
    customized_button: { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com" } }
  },
  createBusinessCustomizedButton: {
    business_token: "KmqjYFy7s",
    customized_button: { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com" } }
  },
  editPost: { post_token: "AaEB0vbO", title: "عنوان تازه", description: "توضیح" },
  editPostV2: {
    post_token: "AaEB0vbO",
    update_mask: ["general_data.title"],
    general_data: { title: "عنوان" }
  },
  submitPostV2: {
    business_token: "KmqjYFy7s",
    general_data: {
      category_slug: "light",
      title: "چراغ",
      description: "نو",
      images: [],
      city: "tehran",
      location_type: "LOCATION_TYPE_EXACT",
      hide_phone: false,
      chat_enabled: true
    },
    category_fields: { status: "new" }
  },
  submitUserPost: {
    business_token: "KmqjYFy7s",
    general_data: {
      category_slug: "light",
      title: "چراغ",
      description: "نو",
      images: [],
      city: "tehran",
      location_type: "LOCATION_TYPE_EXACT",
      hide_phone: false,
      chat_enabled: true
    },
    category_fields: { status: "new" }
  }
}

/** Plausible answers of each operation, to be mutated. */
const samples: { readonly [K in keyof Posts.All]: object } = {
  canUserSubmitPost: { can_submit: true },
  getUploadUrls: {
    image: { url: "https://upload.divar.ir/image", http_method: "POST" },
    video: { url: "https://upload.divar.ir/video", http_method: "PUT" }
  },
  getImageUploadUrl: { upload_url: "https://upload.divar.ir/v1/abc" },
  getUserPost: {
    general_data: {
      category_slug: "light",
      title: "چراغ",
      description: "نو",
      images: ["a.jpg"],
      city: "tehran",
      latitude: 35.7,
      location_type: "LOCATION_TYPE_EXACT",
      chat_enabled: true,
      video: { name: "v", thumbnail_name: "t", duration: "34" }
    },
    category_data: { status: "new" },
    business_data: { business_name: "کسب‌وکار", business_type: "REAL_ESTATE" },
    state: "POST_STATE_PUBLISHED",
    reject_reason: ""
  },
  getPostStats: {
    views: { total: 10, daily: [{ date: "2026-11-27", count: 3 }] },
    impressions: { total: 50 },
    chats: {}
  },
  deleteUserPost: {},
  deletePostCustomizedButton: {},
  deleteBusinessCustomizedButton: {},
  setPostCustomizedButton: {},
  createBusinessCustomizedButton: {},
  editPost: {},
  editPostV2: {},
  submitPostV2: { post_token: "AaEB0vbO" },
  submitUserPost: { post_token: "AaEB0vbO" }
}

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom("POST_STATE_FROM_THE_FUTURE", "LOCATION_TYPE_TELEPATHIC", "TRACE", "-1", "1e999", "34.5"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })
)

/** Deletes, retypes or adds fields anywhere in a JSON object. */
const mutate = (value: unknown): fc.Arbitrary<unknown> => {
  if (typeof value !== "object" || value === null) return fc.oneof(fc.constant(value), wrongValue)
  if (Array.isArray(value)) {
    return fc.oneof(fc.constant(value), wrongValue, fc.array(wrongValue, { maxLength: 3 }))
  }
  const entries = Object.entries(value)
  return fc
    .tuple(
      ...entries.map(([key, field]) =>
        fc.oneof(
          { weight: 3, arbitrary: mutate(field).map((v) => [key, v] as const) },
          { weight: 1, arbitrary: fc.constant([key, undefined] as const) }
        )
      ),
      fc.option(fc.tuple(fc.string({ maxLength: 8 }), wrongValue), { freq: 3 })
    )
    .map((parts) => {
      const extra = parts.pop() as readonly [string, unknown] | null
      const out: Record<string, unknown> = {}
      for (const [key, field] of parts as Array<readonly [string, unknown]>)
        if (field !== undefined) out[key] = field
      if (extra !== null) out[extra[0]] = extra[1]
      return out
    })
}

const nested = (depth: number, leaf = "1") => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`

const json = (value: unknown) => JSON.stringify(value)
const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d])

const statusBody: fc.Arbitrary<string> = fc
  .record(
    {
      code: fc.oneof(
        fc.integer({ min: -3, max: 40 }),
        fc.constantFrom(2 ** 31, 1e300, -0, 8.5),
        fc.constantFrom("8", "NOT_FOUND", null, true) as fc.Arbitrary<unknown>
      ),
      message: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
          "daily quota exceeded",
          "rate limit exceeded: 60 requests per minute",
          "سهمیه روزانه"
        ),
        wrongValue
      ),
      details: fc.oneof(
        fc.array(
          fc.oneof(
            fc.record({ "@type": fc.string({ maxLength: 30 }), reason: fc.string({ maxLength: 10 }) }),
            wrongValue
          ),
          { maxLength: 3 }
        ),
        wrongValue
      )
    },
    { requiredKeys: [] }
  )
  .map(json)

const body = (name: keyof Posts.All): fc.Arbitrary<Answer["body"]> =>
  fc.oneof(
    { weight: 4, arbitrary: mutate(samples[name]).map(json) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
    { weight: 2, arbitrary: statusBody },
    {
      weight: 2,
      arbitrary: fc.constantFrom<Answer["body"]>(
        "",
        " ",
        "null",
        "[]",
        "{",
        '{"ok": tru',
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        invalidUtf8,
        new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
        new Uint8Array([0x00, 0x01, 0x02]),
        nested(200_000),
        nestedObject(200_000),
        `{"code":8,"message":"rate limit exceeded: per minute","details":[${nested(200_000, "{}")}]}`,
        `{"code":8,"message":"daily quota exceeded","details":[{"@type":"x","deep":${nestedObject(200_000)}}]}`,
        `{"code":5,"message":"gone","details":[{"@type":"x","deep":${nested(200_000)}}]}`,
        `{"state":"POST_STATE_PUBLISHED","category_data":${nestedObject(200_000)}}`,
        json({ general_data: { title: "x".repeat(8 * 1024 * 1024) } }),
        json({ general_data: { images: Array.from({ length: 200_000 }, (_, i) => `img-${i}`) } }),
        json({ code: 14, message: "x".repeat(2 * 1024 * 1024), details: [] })
      )
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) }
  )

const answer = (name: keyof Posts.All): fc.Arbitrary<Answer> =>
  fc.record({
    status: fc.oneof(
      { weight: 4, arbitrary: fc.constant(200) },
      { weight: 2, arbitrary: fc.constantFrom(400, 401, 403, 404, 409, 412, 429, 500, 502, 503, 504) },
      { weight: 1, arbitrary: fc.integer({ min: 200, max: 599 }) },
      { weight: 1, arbitrary: fc.constantFrom(201, 204, 206, 301, 302, 307, 308, 418, 499, 599) }
    ),
    headers: fc.record(
      {
        "content-type": fc.constantFrom(
          "application/json",
          "text/html",
          "text/plain; charset=utf-8",
          "application/octet-stream",
          ""
        ),
        "retry-after": fc.constantFrom(
          "1",
          "0.5",
          "-1",
          "abc",
          "99999999999999999999",
          "1e3",
          "Wed, 21 Oct 2015 07:28:00 GMT",
          ""
        ),
        "x-request-id": fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s))
      },
      { requiredKeys: [] }
    ),
    body: body(name)
  })

const tally = { values: 0, nonObjectValues: 0, typedErrors: 0, defects: 0, answers: 0, longestMessage: 0 }
const tags = new Map<string, number>()

describe("every operation, hostile answers: a value or a typed error", () => {
  for (const name of Object.keys(inputs) as Array<keyof Posts.All>) {
    it(name, async () => {
      const operation = Posts.all[name] as unknown as (
        input: unknown
      ) => Effect.Effect<unknown, KenarError.KenarError, KenarClient.KenarClient>
      await fc.assert(
        fc.asyncProperty(answer(name), async (generated) => {
          tally.answers++
          const layer = KenarClient.layer({
            baseUrl: "http://kenar.test",
            retry: false,
            timeout: "10 seconds"
          }).pipe(
            Layer.provide(KenarAuth.layer({ apiKey: "k", accessToken: "t" })),
            Layer.provide(answering(() => generated))
          )
          const exit = await Effect.runPromiseExit(operation(inputs[name]).pipe(Effect.provide(layer)))
          if (Exit.isSuccess(exit)) {
            tally.values++
            // `Empty` (the answer of mutations) is Schema.Struct({}): like TypeScript's `{}`, it takes any non-null value
            if (typeof exit.value !== "object" || exit.value === null) tally.nonObjectValues++
            return
          }
          const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
          if (reason?._tag !== "Fail" || !KenarError.isKenarError(reason.error)) {
            tally.defects++
            throw new Error(
              `${name}: not a typed error for status ${generated.status}: ${String(exit.cause).slice(0, 500)}`
            )
          }
          tally.typedErrors++
          tags.set(reason.error._tag, (tags.get(reason.error._tag) ?? 0) + 1)
          // the error can be printed and serialised (what a logger does)
          expect(typeof String(reason.error)).toBe("string")
          expect(typeof JSON.stringify(reason.error)).toBe("string")
          tally.longestMessage = Math.max(tally.longestMessage, reason.error.message.length)
        }),
        { numRuns: RUNS, seed: SEED }
      )
    })
  }

  it("prints the figures", () => {
    console.log(
      `[hostile answers] ${tally.answers} generated answers over ${Object.keys(inputs).length} operations (seed ${SEED}): ${tally.values} decoded to values (${tally.nonObjectValues} of them not objects: a mutation's {} answer takes any non-null JSON), ${tally.typedErrors} typed errors (${[...tags].map(([t, n]) => `${t} ${n}`).join(", ")}); defects ${tally.defects}; longest error message ${tally.longestMessage} characters (API error messages are kept whole)`
    )
    expect(tally.defects).toBe(0)
  })
})

describe("hostile answers, case by case", () => {
  const run = async (generated: Answer) => {
    const layer = KenarClient.layer({ baseUrl: "http://kenar.test", retry: false }).pipe(
      Layer.provide(KenarAuth.layer({ apiKey: "k", accessToken: "t" })),
      Layer.provide(answering(() => generated))
    )
    const exit = await Effect.runPromiseExit(
      Posts.getUserPost({ token: "AaEB0vbO" }).pipe(Effect.provide(layer))
    )
    const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
    return { exit, error: reason?._tag === "Fail" ? reason.error : undefined }
  }
  const cases: ReadonlyArray<readonly [string, Answer, string]> = [
    [
      "a daily-quota 429 whose details nest 200,000 levels deep",
      {
        status: 429,
        headers: {},
        body: `{"code":8,"message":"daily quota exceeded","details":[{"@type":"x","deep":${nestedObject(200_000)}}]}`
      },
      "RateLimitedError"
    ],
    [
      "a NOT_FOUND whose details nest 200,000 levels deep",
      {
        status: 404,
        headers: {},
        body: `{"code":5,"message":"gone","details":[{"@type":"x","deep":${nested(200_000)}}]}`
      },
      "NotFoundError"
    ],
    [
      "a 200 whose category_data nests 200,000 levels deep",
      {
        status: 200,
        headers: {},
        body: `{"state":"POST_STATE_PUBLISHED","category_data":{"x":${nestedObject(200_000)}}}`
      },
      "value"
    ],
    // invalid bytes inside a JSON string decode as U+FFFD (as TextDecoder and browsers do): still a value
    ["a 200 with invalid UTF-8 in a string", { status: 200, headers: {}, body: invalidUtf8 }, "value"],
    [
      "a 200 of bytes that are not UTF-8 text",
      { status: 200, headers: {}, body: new Uint8Array([0xff, 0xfe, 0x00, 0x81]) },
      "ResponseError"
    ],
    ["an empty 200", { status: 200, headers: {}, body: "" }, "ResponseError"],
    [
      "a Status with an unknown code",
      { status: 500, headers: {}, body: '{"code":77,"message":"new"}' },
      "UnknownError"
    ],
    [
      "a Status whose code is a string",
      { status: 503, headers: {}, body: '{"code":"14","message":"x"}' },
      "UnavailableError"
    ],
    [
      "a 20 MB JSON answer",
      {
        status: 200,
        headers: {},
        body: json({ general_data: { description: "ب".repeat(10 * 1024 * 1024) } })
      },
      "value"
    ]
  ]
  for (const [what, generated, expected] of cases) {
    it(`${what}: ${expected === "value" ? "a value" : `a typed ${expected}`} that can be printed`, async () => {
      const { exit, error } = await run(generated)
      if (expected === "value") {
        expect(Exit.isSuccess(exit)).toBe(true)
        return
      }
      expect(error).toBeDefined()
      expect(KenarError.isKenarError(error)).toBe(true)
      expect((error as KenarError.KenarError)._tag).toBe(expected)
      expect(typeof String(error)).toBe("string")
      expect(typeof JSON.stringify(error)).toBe("string")
    })
  }
})
