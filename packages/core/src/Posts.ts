/**
 * The 14 operations of Kenar's Post API. Each export is both the operation's
 * one definition (`.definition`) and an Effect function that calls it
 * through the {@link KenarClient} in context:
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Posts } from "@kenar/core"
 *
 * const program = Effect.gen(function* () {
 *   const post = yield* Posts.getUserPost({ token: "AaEB0vbO" })
 *   return post.general_data.title
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { operation } from "./KenarClient.js"
import * as Operation from "./Operation.js"
import * as PostSchema from "./PostSchema.js"

const NoParams = /* @__PURE__ */ Schema.Struct({})
const PostTokenParam = /* @__PURE__ */ Schema.Struct({ post_token: PostSchema.Token })
const BusinessTokenParam = /* @__PURE__ */ Schema.Struct({ business_token: PostSchema.Token })

/**
 * Whether the OAuth user may submit a post (not blocked, not an offender,
 * verified). `{}` on the wire decodes to `{ can_submit: false }`.
 *
 * @since 0.1.0
 * @category operations
 */
export const canUserSubmitPost = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "canUserSubmitPost",
    operationId: "Post_CanUserSubmitPost",
    officialName: "postCanUserSubmitPost",
    summary: "Check whether the user may submit a post",
    method: "GET",
    path: "/experimental/open-platform/user-posts/can-submit",
    params: NoParams,
    body: undefined,
    output: PostSchema.CanUserSubmitPostResponse,
    permission: "CAN_USER_SUBMIT_POST",
    scopes: ["SUBMIT_USER_POST"],
    retry: "idempotent"
  })
)

/**
 * Sets the customized button shown on every post of a business. Safe to
 * retry: a retry answered with ALREADY_EXISTS counts as success.
 *
 * @since 0.1.0
 * @category operations
 */
export const createBusinessCustomizedButton = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "createBusinessCustomizedButton",
    operationId: "Post_CreateBusinessCustomizedButton",
    officialName: "postCreateBusinessCustomizedButton",
    summary: "Create the customized button of all of a business's posts",
    method: "POST",
    path: "/experimental/open-platform/business/{business_token}/customized-button",
    params: BusinessTokenParam,
    body: /* @__PURE__ */ Schema.Struct({ customized_button: PostSchema.CustomizedButton }),
    output: PostSchema.Empty,
    permission: "BUSINESS_CUSTOMIZED_BUTTON_CREATE",
    scopes: ["BUSINESS_CREATE_CUSTOMIZED_BUTTON.{business_token}"],
    retry: "idempotent",
    doneOnRetry: "AlreadyExistsError",
    errors: ["NotFoundError", "AlreadyExistsError", "FailedPreconditionError"]
  })
)

/**
 * Removes the customized button from every post of a business.
 *
 * @since 0.1.0
 * @category operations
 */
export const deleteBusinessCustomizedButton = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "deleteBusinessCustomizedButton",
    operationId: "Post_DeleteBusinessCustomizedButton",
    officialName: "postDeleteBusinessCustomizedButton",
    summary: "Delete the customized button of a business's posts",
    method: "DELETE",
    path: "/experimental/open-platform/business/{business_token}/customized-button",
    params: BusinessTokenParam,
    body: undefined,
    output: PostSchema.Empty,
    permission: "BUSINESS_CUSTOMIZED_BUTTON_CREATE",
    scopes: undefined,
    retry: "idempotent",
    errors: ["NotFoundError"]
  })
)

/**
 * Removes the customized button from one post.
 *
 * @since 0.1.0
 * @category operations
 */
export const deletePostCustomizedButton = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "deletePostCustomizedButton",
    operationId: "Post_DeletePostCustomizedButton",
    officialName: "postDeletePostCustomizedButton",
    summary: "Delete the customized button of a post",
    method: "DELETE",
    path: "/experimental/open-platform/posts/{post_token}/customized-button",
    params: PostTokenParam,
    body: undefined,
    output: PostSchema.Empty,
    permission: "SET_CUSTOMIZED_BUTTON",
    scopes: ["USER_SET_CUSTOMIZED_BUTTON"],
    retry: "idempotent",
    errors: ["NotFoundError"]
  })
)

/**
 * Deletes one of the user's posts. Safe to retry: a retry answered NOT_FOUND
 * after an earlier attempt may have reached Kenar counts as success.
 *
 * @since 0.1.0
 * @category operations
 */
export const deleteUserPost = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "deleteUserPost",
    operationId: "Post_DeleteUserPost",
    officialName: "postDeleteUserPost",
    summary: "Delete a post of the user",
    method: "DELETE",
    path: "/v1/open-platform/post/{post_token}",
    params: PostTokenParam,
    body: undefined,
    output: PostSchema.Empty,
    permission: "DELETE_USER_POST",
    scopes: ["DELETE_USER_POST"],
    retry: "idempotent",
    doneOnRetry: "NotFoundError",
    errors: ["NotFoundError", "FailedPreconditionError"]
  })
)

/**
 * Edits a post's title (3 to 50 characters), description and images.
 * Deprecated in the spec: prefer {@link editPostV2}.
 *
 * @since 0.1.0
 * @category operations
 */
export const editPost = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "editPost",
    operationId: "Post_EditPost",
    officialName: "postEditPost",
    summary: "Edit a post's title, description and images (v1)",
    method: "PUT",
    path: "/v1/open-platform/post/{post_token}",
    params: PostTokenParam,
    body: PostSchema.EditPostBody,
    output: PostSchema.Empty,
    permission: "EDIT_POST",
    scopes: ["POST_EDIT.{post_token}"],
    retry: "idempotent",
    deprecated: true,
    errors: ["NotFoundError", "FailedPreconditionError"]
  })
)

/**
 * Edits the fields of a post named by `update_mask`. Build the input with
 * `PostEdit.make`, which derives the mask from the fields you set.
 *
 * @since 0.1.0
 * @category operations
 */
export const editPostV2 = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "editPostV2",
    operationId: "Post_EditPostV2",
    officialName: "postEditPostV2",
    summary: "Edit the fields of a post named by a field mask",
    method: "PUT",
    path: "/v2/open-platform/post/{post_token}",
    params: PostTokenParam,
    body: PostSchema.EditPostV2Body,
    output: PostSchema.Empty,
    permission: "EDIT_POST",
    scopes: ["EDIT_USER_POST", "POST_EDIT.{post_token}"],
    retry: "idempotent",
    errors: ["NotFoundError", "FailedPreconditionError"]
  })
)

/**
 * Gets a URL to upload one image to (valid about 10 minutes). Deprecated:
 * prefer {@link getUploadUrls}.
 *
 * @since 0.1.0
 * @category operations
 */
export const getImageUploadUrl = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "getImageUploadUrl",
    operationId: "Post_GetImageUploadURL",
    officialName: "postGetImageUploadURL",
    summary: "Get an image upload URL (deprecated v1 flow)",
    method: "GET",
    path: "/v1/open-platform/post/image-upload-url",
    params: NoParams,
    body: undefined,
    output: PostSchema.GetImageUploadURLResponse,
    permission: "UPLOAD_POST_IMAGE",
    scopes: undefined,
    retry: "idempotent",
    deprecated: true
  })
)

/**
 * Gets a post's views, impressions and chats: totals and the last 7 days.
 *
 * @since 0.1.0
 * @category operations
 */
export const getPostStats = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "getPostStats",
    operationId: "Post_GetPostStats",
    officialName: "postGetPostStats",
    summary: "Get a post's views, impressions and chats",
    method: "GET",
    path: "/experimental/open-platform/posts/{post_token}/stats",
    params: PostTokenParam,
    body: undefined,
    output: PostSchema.GetPostStatsResponse,
    permission: "POST_STATS_RETRIEVE",
    scopes: ["USER_POSTS_STATS_READ"],
    retry: "idempotent",
    errors: ["NotFoundError"]
  })
)

/**
 * Gets where (and with which method) to upload images and videos. Fetch it
 * before each upload batch.
 *
 * @since 0.1.0
 * @category operations
 */
export const getUploadUrls = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "getUploadUrls",
    operationId: "Post_GetUploadURLsV2",
    officialName: "postGetUploadURLsV2",
    summary: "Get the image and video upload URLs",
    method: "GET",
    path: "/v2/open-platform/post/upload-urls",
    params: NoParams,
    body: undefined,
    output: PostSchema.GetUploadURLsV2Response,
    permission: "UPLOAD_POST_IMAGE",
    scopes: undefined,
    retry: "idempotent"
  })
)

/**
 * Gets one of the user's posts: general data, category data, business data,
 * state and reject reason.
 *
 * @since 0.1.0
 * @category operations
 */
export const getUserPost = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "getUserPost",
    operationId: "Post_GetUserPost",
    officialName: "postGetUserPost",
    summary: "Get a post of the user by token",
    method: "GET",
    path: "/v1/open-platform/user-post/{token}",
    params: /* @__PURE__ */ Schema.Struct({ token: PostSchema.Token }),
    body: undefined,
    output: PostSchema.GetUserPostResponse,
    permission: "GET_USER_POST",
    scopes: ["USER_POSTS_GET"],
    retry: "idempotent",
    errors: ["NotFoundError"]
  })
)

/**
 * Sets (creates or replaces) the customized button of one post.
 *
 * @since 0.1.0
 * @category operations
 */
export const setPostCustomizedButton = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "setPostCustomizedButton",
    operationId: "Post_SetPostCustomizedButton",
    officialName: "postSetPostCustomizedButton",
    summary: "Set the customized button of a post",
    method: "POST",
    path: "/experimental/open-platform/posts/{post_token}/customized-button",
    params: PostTokenParam,
    body: /* @__PURE__ */ Schema.Struct({ customized_button: PostSchema.CustomizedButton }),
    output: PostSchema.Empty,
    permission: "SET_CUSTOMIZED_BUTTON",
    scopes: ["USER_SET_CUSTOMIZED_BUTTON"],
    retry: "idempotent",
    errors: ["NotFoundError", "FailedPreconditionError"]
  })
)

/**
 * Submits a business post as the app (provider). Never retried once the
 * request may have reached Kenar: a repeat would create (and bill) a second
 * post.
 *
 * @since 0.1.0
 * @category operations
 */
export const submitPostV2 = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "submitPostV2",
    operationId: "Post_SubmitPostV2",
    officialName: "postSubmitPostV2",
    summary: "Submit a business post as the app",
    method: "POST",
    path: "/experimental/open-platform/posts/new-v2",
    params: NoParams,
    body: PostSchema.SubmitPostV2Request,
    output: PostSchema.SubmitPostResponse,
    permission: "SUBMIT_POST",
    scopes: undefined,
    retry: "create",
    errors: ["NotFoundError", "FailedPreconditionError"]
  })
)

/**
 * Submits a post on behalf of the OAuth user. Never retried once the request
 * may have reached Kenar.
 *
 * @since 0.1.0
 * @category operations
 */
export const submitUserPost = /* @__PURE__ */ operation(
  /* @__PURE__ */ Operation.make({
    name: "submitUserPost",
    operationId: "Post_SubmitUserPost",
    officialName: "postSubmitUserPost",
    summary: "Submit a post as the user",
    method: "POST",
    path: "/experimental/open-platform/user-posts/new",
    params: NoParams,
    body: PostSchema.SubmitUserPostRequest,
    output: PostSchema.SubmitPostResponse,
    permission: "SUBMIT_USER_POST",
    scopes: ["SUBMIT_USER_POST"],
    retry: "create",
    errors: ["NotFoundError", "FailedPreconditionError"]
  })
)

/**
 * All 14 Post operations by SDK name.
 *
 * @since 0.1.0
 * @category operations
 */
export const all = {
  canUserSubmitPost,
  createBusinessCustomizedButton,
  deleteBusinessCustomizedButton,
  deletePostCustomizedButton,
  deleteUserPost,
  editPost,
  editPostV2,
  getImageUploadUrl,
  getPostStats,
  getUploadUrls,
  getUserPost,
  setPostCustomizedButton,
  submitPostV2,
  submitUserPost
} as const

/**
 * The table of Post operations.
 *
 * @since 0.1.0
 * @category models
 */
export type All = typeof all
