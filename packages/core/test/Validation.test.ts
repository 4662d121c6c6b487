import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { type KenarError, PostEdit, Posts } from "../src/index.js"
import { clientLayer, scripted } from "./utils/scripted.js"

const generalData = {
  category_slug: "light",
  title: "چراغ مطالعه",
  description: "نو",
  images: ["raw/a.jpg"],
  city: "tehran",
  location_type: "LOCATION_TYPE_EXACT",
  hide_phone: false,
  chat_enabled: true
} as const

const button = { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com/call" } } as const

/** Runs a call that must fail validation; checks nothing was sent and returns the error. */
const rejected = async (effect: Effect.Effect<unknown, unknown, any>) => {
  const transport = scripted([{ status: 200, body: {} }])
  const exit = await Effect.runPromiseExit(effect.pipe(Effect.provide(clientLayer(transport.layer))) as any)
  expect(transport.requests, "a request was sent for invalid input").toHaveLength(0)
  expect(Exit.isFailure(exit)).toBe(true)
  const error = (exit as Exit.Failure<unknown, KenarError.ValidationError>).cause.reasons[0] as any
  expect(error.error._tag).toBe("ValidationError")
  return error.error as KenarError.ValidationError
}

const accepted = async (effect: Effect.Effect<unknown, unknown, any>) => {
  const transport = scripted([{ status: 200, body: {} }])
  const exit = await Effect.runPromiseExit(effect.pipe(Effect.provide(clientLayer(transport.layer))) as any)
  expect(exit._tag).toBe("Success")
  return transport.requests
}

describe("input validation happens before any I/O", () => {
  it.each([
    ["empty", ""],
    ["slash", "a/b"],
    ["dot-dot", ".."],
    ["query", "abc?x=1"],
    ["fragment", "abc#x"],
    ["percent", "abc%2F"],
    ["space", "ab c"],
    ["persian", "آگهی"],
    ["too long", "a".repeat(65)]
  ])("rejects a %s token in every path parameter", async (_, token) => {
    for (const effect of [
      Posts.getUserPost({ token }),
      Posts.getPostStats({ post_token: token }),
      Posts.deleteUserPost({ post_token: token }),
      Posts.deletePostCustomizedButton({ post_token: token }),
      Posts.deleteBusinessCustomizedButton({ business_token: token }),
      Posts.setPostCustomizedButton({ post_token: token, customized_button: button }),
      Posts.createBusinessCustomizedButton({ business_token: token, customized_button: button }),
      Posts.editPost({ post_token: token, title: "عنوان خوب", description: "توضیح" }),
      Posts.editPostV2({ post_token: token, ...PostEdit.make({ general_data: { title: "x" } }) })
    ]) {
      const error = await rejected(effect)
      expect(["token", "post_token", "business_token"]).toContain(error.field)
      expect(["non-empty", "url-safe", "max-length"]).toContain(error.rule)
    }
  })

  it("accepts the token alphabet and puts it in the path", async () => {
    const requests = await accepted(Posts.getUserPost({ token: "gW4f_L8-Xq" }))
    expect(requests[0]!.url).toBe("http://kenar.test/v1/open-platform/user-post/gW4f_L8-Xq")
  })

  it("names each missing required field of a submit", async () => {
    const error = await rejected(
      Posts.submitPostV2({ general_data: generalData, category_fields: {} } as any)
    )
    expect(error).toMatchObject({ field: "business_token", rule: "required", operation: "submitPostV2" })
    const nested = await rejected(
      Posts.submitUserPost({
        business_token: "biz",
        category_fields: {},
        general_data: { ...generalData, title: undefined, city: "" } as any
      })
    )
    expect(nested.issues.map((i) => [i.field, i.rule])).toEqual([
      ["general_data.title", "required"],
      ["general_data.city", "non-empty"]
    ])
    expect(nested.message).toContain("general_data.title")
  })

  it("checks enums, numbers and the video of general data", async () => {
    const error = await rejected(
      Posts.submitPostV2({
        business_token: "biz",
        category_fields: {},
        general_data: {
          ...generalData,
          location_type: "LOCATION_TYPE_SOMEWHERE" as any,
          latitude: 135,
          video: { name: "raw/v.mp4", thumbnail_name: "thumbnail/v.jpg", duration: "3.5" }
        }
      })
    )
    expect(error.issues.map((i) => [i.field, i.rule])).toEqual([
      ["general_data.latitude", "range"],
      ["general_data.location_type", "type"],
      ["general_data.video.duration", "uint64"]
    ])
  })

  it("enforces EditPost v1's title of 3 to 50 characters (counted in characters, not bytes)", async () => {
    expect(
      (await rejected(Posts.editPost({ post_token: "AaEB0vbO", title: "ab", description: "توضیح" }))).rule
    ).toBe("length")
    expect(
      (
        await rejected(
          Posts.editPost({ post_token: "AaEB0vbO", title: "x".repeat(51), description: "توضیح" })
        )
      ).field
    ).toBe("title")
    await accepted(Posts.editPost({ post_token: "AaEB0vbO", title: "ب".repeat(50), description: "توضیح" }))
    await accepted(Posts.editPost({ post_token: "AaEB0vbO", title: "خانه", description: "توضیح" }))
  })

  it("requires a non-empty update_mask of existing, editable paths", async () => {
    expect((await rejected(Posts.editPostV2({ post_token: "AaEB0vbO", update_mask: [] }))).rule).toBe(
      "non-empty"
    )
    const bad = await rejected(
      Posts.editPostV2({
        post_token: "AaEB0vbO",
        update_mask: ["general_data.city", "general_data.nope", "title", "category_data.a.b", "other.x"]
      })
    )
    expect(bad.issues.map((i) => [i.field, i.rule])).toEqual([
      ["update_mask.0", "mask-path"],
      ["update_mask.1", "mask-path"],
      ["update_mask.2", "mask-path"],
      ["update_mask.3", "mask-path"],
      ["update_mask.4", "mask-path"]
    ])
    expect(bad.issues[0]!.message).toContain("not editable")
  })

  it("rejects a field that is set but missing from update_mask (Kenar would ignore it)", async () => {
    const error = await rejected(
      Posts.editPostV2({
        post_token: "AaEB0vbO",
        update_mask: ["general_data.title"],
        general_data: { title: "جدید", description: "ignored" }
      })
    )
    expect(error).toMatchObject({ field: "general_data.description", rule: "in-mask" })
  })

  it("requires exactly one action on a customized button", async () => {
    const none = await rejected(
      Posts.setPostCustomizedButton({
        post_token: "AaEB0vbO",
        customized_button: { type: "ONLINE_CALL", action: {} }
      })
    )
    expect(none).toMatchObject({ field: "customized_button.action", rule: "one-of" })
    const two = await rejected(
      Posts.setPostCustomizedButton({
        post_token: "AaEB0vbO",
        customized_button: {
          type: "ONLINE_CALL",
          action: { open_direct_link: "https://x", open_post_page: { post_token: "AaEB0vbO" } }
        }
      })
    )
    expect(two.rule).toBe("one-of")
  })

  it("rejects unknown fields and non-object input", async () => {
    const error = await rejected(Posts.getUserPost({ token: "AaEB0vbO", tokn: "x" } as any))
    expect(error).toMatchObject({ field: "tokn", rule: "unknown-field" })
    const typo = await rejected(
      Posts.submitPostV2({
        business_token: "b",
        general_data: generalData,
        category_fields: {},
        landline: []
      } as any)
    )
    expect(typo).toMatchObject({ field: "landline", rule: "unknown-field" })
    expect((await rejected(Posts.getUserPost("AaEB0vbO" as any))).rule).toBe("type")
  })
})

describe("PostEdit", () => {
  it("derives update_mask from the fields set and clears on purpose", () => {
    expect(
      PostEdit.make({
        general_data: { title: "جدید", video: PostEdit.clear, district: undefined },
        category_data: { price: 1000 }
      })
    ).toEqual({
      update_mask: ["general_data.title", "general_data.video", "category_data.price"],
      general_data: { title: "جدید" },
      category_data: { price: 1000 }
    })
  })

  it("builds an edit the client accepts and sends as JSON", async () => {
    const requests = await accepted(
      Posts.editPostV2({
        post_token: "AaEB0vbO",
        ...PostEdit.make({ general_data: { images: PostEdit.clear } })
      })
    )
    expect(requests[0]).toMatchObject({
      method: "PUT",
      url: "http://kenar.test/v2/open-platform/post/AaEB0vbO"
    })
    expect(JSON.parse(requests[0]!.body!)).toEqual({ update_mask: ["general_data.images"] })
  })
})
