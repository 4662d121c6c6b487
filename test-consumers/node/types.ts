// TypeScript consumer: type-checked (never run) against the installed
// tarballs' .d.ts, once with moduleResolution node16 and once with bundler
// (tsconfig.node16.json, tsconfig.bundler.json), strict.
import {
  KenarError,
  type KenarPromiseClient,
  type Operation,
  PostEdit,
  type PostSchema,
  Posts
} from "@kenar/core"
import { NodeKenarClient } from "@kenar/node"
import { KenarSimulator } from "@kenar/testing"
import { Effect } from "effect"

type Expect<T extends true> = T
type Tags<E> = E extends { readonly _tag: infer T } ? T : never
type ErrorOf<F extends (...args: never) => Effect.Effect<unknown, unknown, unknown>> = Effect.Error<
  ReturnType<F>
>

// Error unions are narrowed per operation: getUserPost can fail with NotFoundError, getUploadUrls cannot.
export type GetUserPostErrors = Expect<
  "NotFoundError" extends Tags<ErrorOf<typeof Posts.getUserPost>> ? true : false
>
export type UploadUrlErrors = Expect<
  "NotFoundError" extends Tags<ErrorOf<typeof Posts.getUploadUrls>> ? false : true
>
export type CommonErrors = Expect<
  "ValidationError" | "TransportError" | "RateLimitedError" extends Tags<ErrorOf<typeof Posts.getUploadUrls>>
    ? true
    : false
>

// Catching a tag removes it from the union.
const title = Posts.getUserPost({ token: "AaEB0vbO" }).pipe(
  Effect.map((post) => post.general_data.title),
  Effect.catchTag("NotFoundError", (error) => Effect.succeed(`gone (${error.httpStatus})`))
)
export type TitleErrors = Expect<"NotFoundError" extends Tags<Effect.Error<typeof title>> ? false : true>
export type TitleSuccess = Expect<Effect.Success<typeof title> extends string ? true : false>

// Posts inputs: flat path parameters and body fields, checked.
type SubmitInput = Operation.Input<typeof Posts.submitUserPost.definition>
export const submit: SubmitInput = {
  business_token: "KmqjYFy7s",
  general_data: {
    category_slug: "apartment-sell",
    title: "آپارتمان ۸۰ متری",
    description: "نوساز",
    images: [],
    city: "tehran",
    location_type: "LOCATION_TYPE_EXACT",
    hide_phone: false,
    chat_enabled: true
  },
  category_fields: { size: 80, rooms: "2" }
}
export const edit = Posts.editPostV2({
  post_token: "AaEB0vbO",
  ...PostEdit.make({ general_data: { title: "New title", video: PostEdit.clear } })
})
// @ts-expect-error: getUserPost takes `token`, not `post_token`
Posts.getUserPost({ post_token: "AaEB0vbO" })
// @ts-expect-error: getPostStats needs its input
Posts.getPostStats()
export const canSubmit = Posts.canUserSubmitPost() // no input needed

// Outputs: proto3 zero values are filled, so fields are not optional.
export const state = (post: PostSchema.GetUserPostResponse): PostSchema.PostState => post.state
export type Views = Expect<
  Effect.Success<ReturnType<typeof Posts.getPostStats>>["views"]["total"] extends number ? true : false
>

// The Promise client rejects with the same tagged errors.
export const describe = async (
  kenar: KenarPromiseClient.KenarPromiseClient,
  token: string
): Promise<string> => {
  try {
    const post = await kenar.getUserPost(
      { token },
      { signal: AbortSignal.timeout(5000), timeout: "2 seconds" }
    )
    return post.general_data.title
  } catch (error) {
    if (!KenarError.isKenarError(error)) throw error
    switch (error._tag) {
      case "NotFoundError":
        return "gone"
      case "RateLimitedError":
        return `slow down (${error.limit})`
      case "ValidationError":
        return `bad ${error.field}`
      default:
        return error.message
    }
  }
}

export const client: KenarPromiseClient.KenarPromiseClient = NodeKenarClient.makePromise({
  apiKey: "key",
  baseUrl: "http://127.0.0.1:1",
  accessToken: async ({ operation }) => `token-for-${operation}`,
  retry: { maxRetries: 2, baseDelay: "100 millis" }
})
export const layer = NodeKenarClient.layer({ timeout: "5 seconds", retry: false })
export const demo: KenarSimulator.Demo = KenarSimulator.seedDemo(KenarSimulator.make())
