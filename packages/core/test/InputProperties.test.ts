/**
 * Bad input, property-based (fast-check): for every operation, generated
 * inputs (mostly valid fields, some hostile: wrong types, empty or huge
 * strings, out-of-range numbers, unknown enums, unknown fields, Persian and
 * control characters, values JSON cannot carry) either
 *
 * - are rejected before any I/O with a typed `ValidationError` naming the
 *   field (no request reaches the simulator), or
 * - are sent, and the simulator receives exactly what was given (path and
 *   body), answering a value or a typed error; what it accepted reads back
 *   the same (submits and edits are read back from the simulator's world).
 *
 * No input crashes the client (no defect). Seeded: FC_SEED, FC_RUNS.
 */
import { Effect, Exit, Layer } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { KenarSimulator } from "../../testing/src/index.js"
import { KenarAuth, KenarClient, KenarError, Operation, Posts } from "../src/index.js"

const SEED = Number(process.env.FC_SEED ?? 4242)
const RUNS = Number(process.env.FC_RUNS ?? 150)

// ----------------------------------------------------------------------------- the world

const sim = KenarSimulator.make({ rateLimit: { perMinute: 0 } })
const apiKey = sim.addApp()
const user = sim.addUser({ id: "fc-user" })
const business = sim.addBusiness({ name: "کسب‌وکار آزمون", owner: user })
const posts = Array.from({ length: 6 }, (_, i) =>
  sim.addPost({ owner: user, business, general_data: { title: `آگهی ${i}` } })
)
const freshBusinesses = () => sim.addBusiness({ name: "تازه", owner: user })
const accessToken = sim.issueToken({
  user,
  expiresInSeconds: 86_400,
  scopes: [
    "USER_POSTS_GET",
    "USER_POSTS_STATS_READ",
    "SUBMIT_USER_POST",
    "USER_SET_CUSTOMIZED_BUTTON",
    "DELETE_USER_POST",
    "EDIT_USER_POST",
    ...posts.map((token) => `POST_EDIT.${token}`),
    `BUSINESS_CREATE_CUSTOMIZED_BUTTON.${business}`
  ]
})

interface Received {
  readonly method: string
  readonly url: string
  readonly body: string | undefined
}
const received: Array<Received> = []
const recording = HttpClient.transform(KenarSimulator.httpClient(sim), (send, request) => {
  const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : undefined
  received.push({ method: request.method, url: request.url, body })
  return send
})
const layer = KenarClient.layer({ baseUrl: "http://kenar.test", retry: false }).pipe(
  Layer.provide(KenarAuth.layer({ apiKey, accessToken })),
  Layer.provide(Layer.succeed(HttpClient.HttpClient, recording))
)

// ----------------------------------------------------------------------------- arbitraries

/** Values of the wrong kind, or that JSON cannot carry. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.bigInt(),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }),
  fc.anything({ maxDepth: 2, withBigInt: true, withNullPrototype: true, withMap: true, withDate: true })
)

const hostileToken: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "a/b",
    "..",
    "../../v1/open-platform/post/x",
    "a?b=1",
    "a#frag",
    "%2e%2e",
    "a%2Fb",
    "a b",
    "آگهی",
    "x\u0000y",
    "tab\there",
    "",
    "a".repeat(65),
    "AaEB0vbO/../../oauth2/token"
  ),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
  hostileValue
)
const validToken = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...posts) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) }
)
const token = fc.oneof({ weight: 4, arbitrary: validToken }, { weight: 1, arbitrary: hostileToken })

/** Mostly the valid arbitrary, now and then a hostile value. */
const field = <A>(valid: fc.Arbitrary<A>, hostile: fc.Arbitrary<unknown> = hostileValue) =>
  fc.oneof({ weight: 9, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostile })

const text = (min: number, max: number) =>
  fc.oneof(
    fc.string({ unit: "grapheme", minLength: min, maxLength: max }),
    fc.constantFrom("آپارتمان ۸۰ متری", "چراغ مطالعه نو", "Persian + English ۱۲۳", "emoji 🏠 ok")
  )
const nonBlank = (max: number) => text(1, max).filter((s) => s.trim().length > 0)

const locationType = field(
  fc.constantFrom("LOCATION_TYPE_EMPTY", "LOCATION_TYPE_EXACT", "LOCATION_TYPE_APPROXIMATE"),
  fc.oneof(fc.constantFrom("LOCATION_TYPE_UNKNOWN", "exact", ""), hostileValue)
)
const category = fc.constantFrom(
  ["light", { status: "new" }],
  ["light", { status: "used", brand: "فیلیپس" }],
  ["apartment-sell", { size: 80, rooms: "دو" }],
  ["temporary-suite", { capacity: 4, pets_allowed: true }]
) as fc.Arbitrary<readonly [string, Record<string, unknown>]>

const generalData = fc
  .tuple(
    category,
    fc.record(
      {
        title: field(nonBlank(40)),
        description: field(nonBlank(80)),
        images: field(
          fc.constant([]),
          fc.oneof(fc.constant([""]), fc.array(hostileValue, { maxLength: 2 }), hostileValue)
        ),
        city: field(fc.constantFrom("tehran", "karaj", "isfahan")),
        district: field(text(0, 20)),
        latitude: field(
          fc.double({ min: -90, max: 90, noNaN: true }),
          fc.oneof(fc.constantFrom(91, -90.5, 1e9), hostileValue)
        ),
        longitude: field(
          fc.double({ min: -180, max: 180, noNaN: true }),
          fc.oneof(fc.constantFrom(181, -1e9), hostileValue)
        ),
        location_type: locationType,
        hide_phone: field(fc.boolean()),
        chat_enabled: field(fc.boolean())
      },
      {
        requiredKeys: [
          "title",
          "description",
          "images",
          "city",
          "location_type",
          "hide_phone",
          "chat_enabled"
        ]
      }
    ),
    fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) })
  )
  .map(([[slug, fields], general, slugValid]) => ({
    general: {
      category_slug: slugValid ? slug : fc.sample(fc.oneof(fc.constant(""), hostileValue), 1)[0],
      ...general
    },
    fields
  }))

const categoryFields = (fields: Record<string, unknown>) =>
  field(
    fc.constant(fields),
    fc.oneof(
      fc.constant({ status: 1n }),
      fc.constant({ status: Number.NaN }),
      fc.dictionary(fc.string({ maxLength: 6 }), hostileValue, { maxKeys: 3 }),
      hostileValue
    )
  )

const button = fc.record({
  type: field(
    fc.constantFrom("ACCOMMODATION_BOOKING", "EXTERNAL_PRODUCT_STORE", "RESUME_SUBMISSION", "ONLINE_CALL"),
    fc.oneof(fc.constant("NEW_KIND"), hostileValue)
  ),
  action: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        open_direct_link: field(fc.constantFrom("https://example.com/a", "http://x.ir/b"))
      })
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...posts).map((post_token) => ({ open_post_page: { post_token } }))
    },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.constant({
        open_direct_link: "https://example.com",
        open_post_page: { post_token: "AaEB0vbO" }
      })
    },
    {
      weight: 1,
      arbitrary: fc.record({
        get_dynamic_action: fc.record({ data: fc.dictionary(fc.string(), hostileValue, { maxKeys: 2 }) })
      })
    },
    { weight: 1, arbitrary: hostileValue }
  )
})

/** `arb` now and then, else null. */
const rarely = <A>(arb: fc.Arbitrary<A>) =>
  fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb })

/** Sometimes a field the operation does not have. */
const withExtra = <A extends object>(arb: fc.Arbitrary<A>) =>
  fc
    .tuple(
      arb,
      rarely(
        fc.tuple(fc.constantFrom("unknown_field", "generalData", "__proto__x", "x-api-key"), hostileValue)
      )
    )
    .map(([input, extra]) => (extra === null ? input : { ...input, [extra[0]]: extra[1] }))

const editableMask = fc.subarray(
  ["general_data.title", "general_data.description", "general_data.district", "general_data.chat_enabled"],
  { minLength: 1 }
)

const inputs: { readonly [K in keyof Posts.All]: fc.Arbitrary<object> } = {
  canUserSubmitPost: withExtra(fc.constant({})),
  getUploadUrls: withExtra(fc.constant({})),
  getImageUploadUrl: withExtra(fc.constant({})),
  getUserPost: withExtra(fc.record({ token })),
  getPostStats: withExtra(fc.record({ post_token: token })),
  deleteUserPost: withExtra(fc.record({ post_token: token })),
  deletePostCustomizedButton: withExtra(fc.record({ post_token: token })),
  deleteBusinessCustomizedButton: withExtra(
    fc.record({ business_token: field(fc.constant(business), hostileToken) })
  ),
  setPostCustomizedButton: withExtra(fc.record({ post_token: token, customized_button: field(button) })),
  createBusinessCustomizedButton: withExtra(
    fc.record({ business_token: field(fc.constant("fresh"), hostileToken), customized_button: field(button) })
  ),
  editPost: withExtra(
    fc.record(
      {
        post_token: token,
        title: field(
          text(3, 50).filter((s) => [...s.trim()].length >= 3),
          fc.oneof(text(0, 2), text(51, 60), hostileValue)
        ),
        description: field(nonBlank(60)),
        image_paths: field(fc.constant([]))
      },
      { requiredKeys: ["post_token", "title", "description"] }
    )
  ),
  editPostV2: withExtra(
    fc
      .tuple(
        token,
        editableMask,
        nonBlank(30),
        fc.boolean(),
        rarely(
          fc.constantFrom("general_data.city", "general_data.title.x", "", "category_data.size", "../x")
        ),
        rarely(fc.constant(true))
      )
      .map(([post_token, mask, title, chat, badPath, outsideMask]) => {
        const general: Record<string, unknown> = {}
        for (const path of mask) {
          const name = path.split(".")[1]!
          general[name] = name === "chat_enabled" ? chat : name === "district" ? "" : title
        }
        if (outsideMask === true) general.hide_phone = true
        return {
          post_token,
          update_mask: badPath === null ? mask : [...mask, badPath],
          general_data: general
        }
      })
  ),
  submitPostV2: withExtra(
    fc.tuple(generalData, fc.constant(business)).chain(([{ general, fields }, biz]) =>
      fc.record(
        {
          business_token: field(fc.constant(biz), hostileToken),
          general_data: field(fc.constant(general)),
          category_fields: categoryFields(fields),
          landline_numbers: field(fc.constant(["02112345678"]), fc.oneof(fc.constant(["123"]), hostileValue))
        },
        { requiredKeys: ["business_token", "general_data", "category_fields"] }
      )
    )
  ),
  submitUserPost: withExtra(
    generalData.chain(({ general, fields }) =>
      fc.record({
        business_token: field(fc.constant(business), hostileToken),
        general_data: field(fc.constant(general)),
        category_fields: categoryFields(fields)
      })
    )
  )
}

// ----------------------------------------------------------------------------- the property

const fieldNames = (definition: Operation.Any): Set<string> =>
  new Set([
    ...Object.keys(definition.params.fields),
    ...(definition.body === undefined
      ? []
      : Object.keys((definition.body as unknown as { fields?: object }).fields ?? {}))
  ])

/** What the body on the wire should be: the input without path parameters and without undefined. */
const expectedBody = (definition: Operation.Any, input: Record<string, unknown>): unknown => {
  const params = new Set(Object.keys(definition.params.fields))
  const body = Object.fromEntries(Object.entries(input).filter(([key]) => !params.has(key)))
  return JSON.parse(JSON.stringify(body))
}

const tally = { accepted: 0, rejectedLocally: 0, answeredError: 0, crashes: 0 }
const fieldsNamed = new Set<string>()

const check = async (name: keyof Posts.All, generated: object) => {
  const operation = Posts.all[name]
  const definition = operation.definition as Operation.Any
  // a fresh business per create, so that "already exists" never hides a round trip
  const input: Record<string, unknown> =
    name === "createBusinessCustomizedButton" &&
    (generated as { business_token?: unknown }).business_token === "fresh"
      ? { ...generated, business_token: freshBusinesses() }
      : { ...generated }
  const options =
    name === "createBusinessCustomizedButton" && typeof input.business_token === "string"
      ? {
          accessToken: sim.issueToken({
            user,
            scopes: [`BUSINESS_CREATE_CUSTOMIZED_BUTTON.${input.business_token}`]
          })
        }
      : undefined
  const before = received.length
  const exit = await Effect.runPromiseExit(
    (
      operation as (
        i: unknown,
        o?: unknown
      ) => Effect.Effect<unknown, KenarError.KenarError, KenarClient.KenarClient>
    )(input, options).pipe(Effect.provide(layer))
  )
  const sent = received.slice(before)
  if (Exit.isFailure(exit)) {
    const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
    if (reason?._tag !== "Fail" || !KenarError.isKenarError(reason.error)) {
      tally.crashes++
      throw new Error(`${name} crashed on ${safeShow(input)}: ${String(exit.cause)}`)
    }
    const error = reason.error
    if (error._tag === "ValidationError") {
      tally.rejectedLocally++
      expect(sent, `${name}: a rejected input reached the simulator`).toHaveLength(0)
      expect(error.issues.length).toBeGreaterThan(0)
      expect(error.field).toBe(error.issues[0]!.field)
      const head = error.field.split(".")[0]!
      const known = fieldNames(definition)
      expect(
        head === "" || known.has(head) || head in input,
        `${name}: field '${error.field}' names no field`
      ).toBe(true)
      expect(error.message).toContain(name)
      fieldsNamed.add(`${name}.${error.field}`)
      return
    }
    tally.answeredError++
    expect(sent.length, `${name}: ${error._tag} without a request`).toBeGreaterThan(0)
    expect(error.kind).toBe("api")
  } else {
    tally.accepted++
    expect(sent).toHaveLength(1)
  }
  // what went out is what was given: the route with the token, and the body
  const request = sent[0]!
  const params = Object.fromEntries(Object.keys(definition.params.fields).map((key) => [key, input[key]]))
  expect(new URL(request.url).pathname).toBe(Operation.pathFor(definition, params))
  if (definition.body !== undefined)
    expect(JSON.parse(request.body ?? "null")).toEqual(expectedBody(definition, input))
  if (Exit.isSuccess(exit)) readBack(name, input, exit.value)
}

/** What the simulator accepted reads back the same from its world. */
const readBack = (name: keyof Posts.All, input: Record<string, any>, output: any) => {
  if (name === "submitPostV2" || name === "submitUserPost") {
    const post = sim.post(output.post_token)!
    expect(post).toBeDefined()
    const general = input.general_data
    for (const key of [
      "category_slug",
      "title",
      "description",
      "city",
      "location_type",
      "hide_phone",
      "chat_enabled"
    ]) {
      expect(post.general_data[key as keyof typeof post.general_data]).toEqual(general[key])
    }
    expect(post.category_data).toEqual(input.category_fields)
  }
  if (name === "editPost") {
    const post = sim.post(input.post_token)!
    expect([post.general_data.title, post.general_data.description]).toEqual([input.title, input.description])
  }
  if (name === "editPostV2" && input.general_data.title !== undefined) {
    expect(sim.post(input.post_token)!.general_data.title).toBe(input.general_data.title)
  }
  if (name === "setPostCustomizedButton") {
    expect(sim.post(input.post_token)!.customized_button).toEqual(input.customized_button)
  }
}

const safeShow = (value: unknown) => {
  try {
    return fc.stringify(value).slice(0, 400)
  } catch {
    return "<unprintable>"
  }
}

describe("every operation's input: accepted and round-tripped, or a ValidationError before any I/O", () => {
  for (const name of Object.keys(inputs) as Array<keyof Posts.All>) {
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(inputs[name], (generated) => check(name, generated)),
        { numRuns: RUNS, seed: SEED }
      )
    })
  }

  it("prints the figures", () => {
    const total = tally.accepted + tally.rejectedLocally + tally.answeredError
    console.log(
      `[bad input] ${total} generated inputs over ${Object.keys(inputs).length} operations (seed ${SEED}): ${tally.accepted} accepted and round-tripped, ${tally.rejectedLocally} rejected before I/O with a ValidationError (${fieldsNamed.size} distinct operation.field names), ${tally.answeredError} sent and answered with a typed API error; crashes ${tally.crashes}`
    )
    expect(tally.crashes).toBe(0)
    expect(tally.accepted).toBeGreaterThan(0)
    expect(tally.rejectedLocally).toBeGreaterThan(0)
  })
})

describe("values JSON cannot carry, in free-form fields (category_fields, category_data, action data)", () => {
  const submit = (category_fields: unknown) =>
    Posts.submitPostV2({
      business_token: business,
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
      category_fields: category_fields as Record<string, unknown>
    })
  const cyclic: Record<string, unknown> = { status: "new" }
  cyclic.self = { back: cyclic }
  let deep: unknown = "bottom"
  for (let i = 0; i < 200_000; i++) deep = [deep]
  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ["a BigInt", { status: "new", count: 10n }, "category_fields.count"],
    ["NaN", { status: "new", price: Number.NaN }, "category_fields.price"],
    ["Infinity", { status: "new", price: Number.POSITIVE_INFINITY }, "category_fields.price"],
    ["a Date", { status: "new", when: new Date(0) }, "category_fields.when"],
    ["a Map", { status: "new", tags: new Map() }, "category_fields.tags"],
    ["a function", { status: "new", f: () => 1 }, "category_fields.f"],
    ["undefined in an array", { status: "new", list: [1, undefined] }, "category_fields.list.1"],
    ["a cycle", cyclic, "category_fields.self.back.self"],
    [
      "200,000 levels of nesting with a BigInt at the bottom",
      { status: "new", deep: [deep, 1n] },
      "category_fields.deep.1"
    ]
  ]
  for (const [what, fields, field] of cases) {
    it(`${what}: a ValidationError naming ${field}, nothing sent`, async () => {
      const before = received.length
      const exit = await Effect.runPromiseExit(submit(fields).pipe(Effect.provide(layer)))
      expect(received.length).toBe(before)
      const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
      expect(reason?._tag === "Fail" ? reason.error : exit).toMatchObject({
        _tag: "ValidationError",
        field,
        rule: "json"
      })
    })
  }

  it("accepts deep JSON and shared (not cyclic) branches, and sends them as given", async () => {
    const shared = { a: 1 }
    let nested: unknown = "bottom"
    for (let i = 0; i < 900; i++) nested = [nested]
    const data = { left: shared, right: shared, nested }
    Object.defineProperty(data, "__proto__", { value: { kept: "as a key" }, enumerable: true })
    const before = received.length
    const exit = await Effect.runPromiseExit(
      Posts.setPostCustomizedButton({
        post_token: sim.addPost({ owner: user, business, general_data: { title: "آگهی تازه" } }),
        customized_button: { type: "ONLINE_CALL", action: { get_dynamic_action: { data } } }
      }).pipe(Effect.provide(layer))
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    const sent = JSON.parse(received[before]!.body!).customized_button.action.get_dynamic_action.data
    expect(sent).toEqual(JSON.parse(JSON.stringify(data)))
    expect(Object.keys(sent)).toContain("__proto__")
  })

  it("rejects deeper than 1000 levels, and cycles or deep values in typed fields, without crashing", async () => {
    let nested: unknown = "bottom"
    for (let i = 0; i < 200_000; i++) nested = [nested]
    const cyclic: Record<string, unknown> = {}
    cyclic.me = cyclic
    const inputs: ReadonlyArray<readonly [unknown, string]> = [
      [{ status: "new", deep: nested }, "category_fields.deep"],
      [{ status: nested }, "category_fields.status"]
    ]
    for (const [fields, field] of inputs) {
      const exit = await Effect.runPromiseExit(submit(fields).pipe(Effect.provide(layer)))
      const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
      expect(reason?._tag === "Fail" ? reason.error : exit).toMatchObject({ _tag: "ValidationError", field })
    }
    for (const title of [nested, cyclic]) {
      const exit = await Effect.runPromiseExit(
        Posts.editPost({ post_token: posts[0]!, title: title as string, description: "d" }).pipe(
          Effect.provide(layer)
        )
      )
      const reason = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
      expect(reason?._tag === "Fail" ? reason.error : exit).toMatchObject({
        _tag: "ValidationError",
        field: "title"
      })
    }
  })
})
