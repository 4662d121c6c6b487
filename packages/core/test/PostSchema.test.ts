import { Effect, Exit, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { type KenarError, PostSchema, Posts } from "../src/index.js"
import { clientLayer, scripted } from "./utils/scripted.js"

const decode = <S extends Schema.Top>(schema: S) =>
  Schema.decodeUnknownSync(schema as unknown as Schema.Codec<S["Type"]>)

describe("responses decode proto3 JSON", () => {
  it("fills omitted scalars, lists and messages with zero values", () => {
    expect(decode(PostSchema.GetPostStatsResponse)({})).toEqual({
      views: { total: 0, daily: [] },
      impressions: { total: 0, daily: [] },
      chats: { total: 0, daily: [] }
    })
    expect(decode(PostSchema.CanUserSubmitPostResponse)({})).toEqual({ can_submit: false })
    expect(decode(PostSchema.PostStats)({ daily: [{ date: "2026-11-20" }] })).toEqual({
      total: 0,
      daily: [{ date: "2026-11-20", count: 0 }]
    })
  })

  it("decodes an omitted enum to its zero value and keeps unknown enum names", () => {
    const post = decode(PostSchema.GetUserPostResponse)({ general_data: { title: "t" } })
    expect(post.state).toBe("POST_STATE_IN_PUBLISH_QUEUE")
    expect(post.general_data.location_type).toBe("LOCATION_TYPE_EMPTY")
    const future = decode(PostSchema.GetUserPostResponse)({
      state: "POST_STATE_ON_HOLD",
      general_data: { location_type: "LOCATION_TYPE_CITY_ONLY" },
      business_data: { business_type: "TOURISM" }
    })
    expect(future.state).toBe("POST_STATE_ON_HOLD")
    expect(future.general_data.location_type).toBe("LOCATION_TYPE_CITY_ONLY")
    expect(future.business_data?.business_type).toBe("TOURISM")
  })

  it("ignores unknown fields at every level", () => {
    const post = decode(PostSchema.GetUserPostResponse)({
      brand_new: { deep: [1, 2] },
      general_data: { title: "t", another_new_field: true }
    })
    expect(post).not.toHaveProperty("brand_new")
    expect(post.general_data).not.toHaveProperty("another_new_field")
  })

  it("keeps 64-bit integers as strings and presence-bearing messages absent", () => {
    const post = decode(PostSchema.GetUserPostResponse)({
      general_data: { video: { name: "raw/v.mp4", thumbnail_name: "thumbnail/v.jpg", duration: "34" } }
    })
    expect(post.general_data.video).toEqual({
      name: "raw/v.mp4",
      thumbnail_name: "thumbnail/v.jpg",
      duration: "34"
    })
    const noVideo = decode(PostSchema.GetUserPostResponse)({ general_data: {} })
    expect(noVideo.general_data.video).toBeUndefined()
    expect(noVideo.business_data).toBeUndefined()
    expect(() => decode(PostSchema.PostVideoResult)({ duration: 34 })).toThrow()
  })

  it("reads a google.rpc.Status with details", () => {
    expect(
      decode(PostSchema.Status)({
        code: 3,
        message: "bad",
        details: [
          { "@type": "type.googleapis.com/google.rpc.BadRequest", field_violations: [{ field: "x" }] }
        ]
      })
    ).toEqual({
      code: 3,
      message: "bad",
      details: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", field_violations: [{ field: "x" }] }]
    })
  })
})

describe("through the client", () => {
  const call = <A, E>(body: string, effect: Effect.Effect<A, E, any>) => {
    const transport = scripted([{ status: 200, body }])
    return Effect.runPromiseExit(
      effect.pipe(Effect.provide(clientLayer(transport.layer, { retry: false }))) as any
    )
  }

  it("decodes `{}` answers of mutations and omitted zeros", async () => {
    const exit = await call("{}", Posts.deleteUserPost({ post_token: "AaEB0vbO" }))
    expect(exit).toMatchObject({ _tag: "Success", value: {} })
    const stats = await call('{"views":{"total":3}}', Posts.getPostStats({ post_token: "AaEB0vbO" }))
    expect(stats).toMatchObject({
      _tag: "Success",
      value: { views: { total: 3, daily: [] }, chats: { total: 0 } }
    })
  })

  it("turns an undecodable success body into a ResponseError naming the field", async () => {
    const exit = await call('{"views":{"total":"many"}}', Posts.getPostStats({ post_token: "AaEB0vbO" }))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = (exit as Exit.Failure<unknown, KenarError.KenarError>).cause.reasons[0] as any
    expect(error.error).toMatchObject({ _tag: "ResponseError", reason: "SchemaMismatch", httpStatus: 200 })
    expect(error.error.message).toContain("views.total")
  })

  it("requires a JSON object: a bare value is a ResponseError even for `{}` answers", async () => {
    for (const body of ["false", "3", "null", "[]", '"ok"']) {
      const exit = (await call(body, Posts.deleteUserPost({ post_token: "AaEB0vbO" }))) as any
      expect(exit.cause.reasons[0].error).toMatchObject({ _tag: "ResponseError", reason: "SchemaMismatch" })
    }
  })

  it("cuts a huge error message to a loggable size", async () => {
    const transport = scripted([{ status: 400, body: { code: 3, message: "x".repeat(100_000) } }])
    const exit = (await Effect.runPromiseExit(
      Posts.getUploadUrls().pipe(Effect.provide(clientLayer(transport.layer, { retry: false })))
    )) as any
    expect(exit.cause.reasons[0].error.message.length).toBeLessThan(2100)
  })

  it("turns invalid JSON and an empty 200 body into ResponseErrors", async () => {
    const invalid = (await call('{"views":', Posts.getPostStats({ post_token: "AaEB0vbO" }))) as any
    expect(invalid.cause.reasons[0].error).toMatchObject({ _tag: "ResponseError", reason: "InvalidJson" })
    const empty = (await call("", Posts.getPostStats({ post_token: "AaEB0vbO" }))) as any
    expect(empty.cause.reasons[0].error).toMatchObject({ _tag: "ResponseError", reason: "EmptyBody" })
  })
})
