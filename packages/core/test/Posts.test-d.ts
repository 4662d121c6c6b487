import type { Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import type { KenarClient, KenarError, KenarPromiseClient, PostSchema } from "../src/index.js"
import { Posts } from "../src/index.js"

type ErrorOf<T> = T extends Effect.Effect<any, infer E, any> ? E : never
type SuccessOf<T> = T extends Effect.Effect<infer A, any, any> ? A : never
type Tags<T> = ErrorOf<T> extends { readonly _tag: infer Tag } ? Tag : never

describe("per-operation error unions", () => {
  it("getUserPost can fail with NotFound but not AlreadyExists or FailedPrecondition", () => {
    type E = ErrorOf<ReturnType<typeof Posts.getUserPost>>
    expectTypeOf<KenarError.NotFoundError>().toExtend<E>()
    expectTypeOf<KenarError.ValidationError>().toExtend<E>()
    expectTypeOf<KenarError.RateLimitedError>().toExtend<E>()
    expectTypeOf<"AlreadyExistsError">().not.toExtend<Tags<ReturnType<typeof Posts.getUserPost>>>()
    expectTypeOf<"FailedPreconditionError">().not.toExtend<Tags<ReturnType<typeof Posts.getUserPost>>>()
  })

  it("createBusinessCustomizedButton declares AlreadyExists", () => {
    expectTypeOf<"AlreadyExistsError">().toExtend<
      Tags<ReturnType<typeof Posts.createBusinessCustomizedButton>>
    >()
  })

  it("getUploadUrls declares no specific error", () => {
    type T = Tags<ReturnType<typeof Posts.getUploadUrls>>
    expectTypeOf<"NotFoundError">().not.toExtend<T>()
    expectTypeOf<T>().toEqualTypeOf<KenarError.CommonError["_tag"]>()
  })

  it("editPost and submits declare FailedPrecondition", () => {
    expectTypeOf<"FailedPreconditionError">().toExtend<Tags<ReturnType<typeof Posts.editPost>>>()
    expectTypeOf<"FailedPreconditionError">().toExtend<Tags<ReturnType<typeof Posts.submitUserPost>>>()
  })

  it("the error union narrows by _tag", () => {
    const handle = (error: ErrorOf<ReturnType<typeof Posts.getPostStats>>) => {
      if (error._tag === "RateLimitedError") expectTypeOf(error.limit).toEqualTypeOf<KenarError.RateLimit>()
      if (error._tag === "TransportError") expectTypeOf(error.mayHaveReachedServer).toEqualTypeOf<boolean>()
    }
    expectTypeOf(handle).toBeFunction()
  })
})

describe("inputs and outputs", () => {
  it("infers outputs from the schemas and requires the KenarClient", () => {
    expectTypeOf<
      SuccessOf<ReturnType<typeof Posts.getUserPost>>
    >().toEqualTypeOf<PostSchema.GetUserPostResponse>()
    expectTypeOf<ReturnType<typeof Posts.getUserPost>>().toExtend<
      Effect.Effect<any, any, KenarClient.KenarClient>
    >()
  })

  it("takes path params and body fields flat, and no input for no-input operations", () => {
    expectTypeOf(Posts.getUploadUrls).toBeCallableWith()
    expectTypeOf(Posts.editPost).toBeCallableWith({ post_token: "t", title: "abc", description: "" })
    // @ts-expect-error the token is required
    Posts.getUserPost({})
    // @ts-expect-error unknown enum values are not accepted in requests
    Posts.setPostCustomizedButton({ post_token: "t", customized_button: { type: "NEW", action: {} } })
  })

  it("keeps unknown enum names open in responses", () => {
    type State = PostSchema.GetUserPostResponse["state"]
    expectTypeOf<"POST_STATE_PUBLISHED">().toExtend<State>()
    expectTypeOf<string>().toExtend<State>()
  })

  it("mirrors every operation in the Promise client", () => {
    expectTypeOf<ReturnType<KenarPromiseClient.KenarPromiseClient["getPostStats"]>>().toEqualTypeOf<
      Promise<PostSchema.GetPostStatsResponse>
    >()
  })
})
