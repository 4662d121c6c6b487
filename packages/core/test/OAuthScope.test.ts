import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import * as OAuthScope from "../src/OAuthScope.js"
import * as Posts from "../src/Posts.js"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const failure = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(Effect.flip(effect))

describe("OAuthScope constants", () => {
  it("spell Kenar's scopes", () => {
    expect([
      OAuthScope.SUBMIT_USER_POST,
      OAuthScope.USER_SET_CUSTOMIZED_BUTTON,
      OAuthScope.DELETE_USER_POST,
      OAuthScope.EDIT_USER_POST,
      OAuthScope.USER_POSTS_STATS_READ,
      OAuthScope.USER_POSTS_GET,
      OAuthScope.OFFLINE_ACCESS
    ]).toEqual([
      "SUBMIT_USER_POST",
      "USER_SET_CUSTOMIZED_BUTTON",
      "DELETE_USER_POST",
      "EDIT_USER_POST",
      "USER_POSTS_STATS_READ",
      "USER_POSTS_GET",
      "offline_access"
    ])
  })

  it("cover every scope the Post operations declare", () => {
    const plain = new Set<string>([
      OAuthScope.SUBMIT_USER_POST,
      OAuthScope.USER_SET_CUSTOMIZED_BUTTON,
      OAuthScope.DELETE_USER_POST,
      OAuthScope.EDIT_USER_POST,
      OAuthScope.USER_POSTS_STATS_READ,
      OAuthScope.USER_POSTS_GET
    ])
    const resource = new Set<string>([OAuthScope.POST_EDIT, OAuthScope.BUSINESS_CREATE_CUSTOMIZED_BUTTON])
    for (const operation of Object.values(Posts.all)) {
      for (const scope of operation.definition.scopes ?? []) {
        const [name, placeholder] = scope.split(".")
        if (placeholder === undefined) expect(plain, scope).toContain(name)
        else expect(resource, scope).toContain(name)
      }
    }
  })
})

describe("resource scope builders", () => {
  it("build NAME.<token>", async () => {
    expect(await run(OAuthScope.postEdit("gW4fL8Xq"))).toBe("POST_EDIT.gW4fL8Xq")
    expect(await run(OAuthScope.businessCreateCustomizedButton("biz_Token-1"))).toBe(
      "BUSINESS_CREATE_CUSTOMIZED_BUTTON.biz_Token-1"
    )
    expect(await run(OAuthScope.resource("CUSTOM_SCOPE", "abc"))).toBe("CUSTOM_SCOPE.abc")
  })

  it.each([
    ["empty", ""],
    ["a slash", "a/b"],
    ["a dot", "a.b"],
    ["a space (would add a scope)", "gW4fL8Xq USER_POSTS_GET"],
    ["percent", "a%20b"],
    ["65 characters", "a".repeat(65)]
  ])("reject a token with %s with a typed error", async (_, token) => {
    const error = await failure(OAuthScope.postEdit(token))
    expect(error).toBeInstanceOf(OAuthScope.InvalidScopeError)
    expect(error).toMatchObject({ _tag: "InvalidScopeError", reason: "InvalidResource" })
    expect(error.message).toContain("POST_EDIT")
  })

  it("reject an invalid name", async () => {
    expect(await failure(OAuthScope.resource("1BAD", "abc"))).toMatchObject({ reason: "InvalidName" })
  })
})

describe("parse", () => {
  it("splits NAME and NAME.<resource>", async () => {
    expect(await run(OAuthScope.parse("USER_POSTS_GET"))).toEqual({
      name: "USER_POSTS_GET",
      resource: undefined
    })
    expect(await run(OAuthScope.parse("POST_EDIT.gW4fL8Xq"))).toEqual({
      name: "POST_EDIT",
      resource: "gW4fL8Xq"
    })
    expect(await run(OAuthScope.parse("offline_access"))).toEqual({
      name: "offline_access",
      resource: undefined
    })
  })

  it.each([
    ["", "InvalidName"],
    [".abc", "InvalidName"],
    ["1ABC", "InvalidName"],
    ["USER POSTS", "InvalidName"],
    ["POST_EDIT.", "InvalidResource"],
    ["POST_EDIT.a.b", "InvalidResource"],
    ["POST_EDIT.a b", "InvalidResource"]
  ])("rejects %j (%s)", async (scope, reason) => {
    expect(await failure(OAuthScope.parse(scope))).toMatchObject({ _tag: "InvalidScopeError", reason, scope })
    expect(OAuthScope.isValid(scope)).toBe(false)
  })

  it("isValid accepts valid scopes", () => {
    expect(OAuthScope.isValid("POST_EDIT.gW4fL8Xq")).toBe(true)
    expect(OAuthScope.isValid("SUBMIT_USER_POST")).toBe(true)
  })
})

describe("forOperations", () => {
  it("lists the scopes of the given operations, filling resource scopes from params", async () => {
    const scopes = await run(
      OAuthScope.forOperations([Posts.getUserPost, [Posts.editPost, { post_token: "gW4fL8Xq" }]])
    )
    expect(scopes).toEqual(["USER_POSTS_GET", "POST_EDIT.gW4fL8Xq"])
  })

  it("prefers a resource scope when its params are given, else a plain one", async () => {
    expect(await run(OAuthScope.forOperations([[Posts.editPostV2, { post_token: "gW4fL8Xq" }]]))).toEqual([
      "POST_EDIT.gW4fL8Xq"
    ])
    expect(await run(OAuthScope.forOperations([Posts.editPostV2]))).toEqual(["EDIT_USER_POST"])
    expect(await run(OAuthScope.forOperations([[Posts.editPostV2, {}]]))).toEqual(["EDIT_USER_POST"])
  })

  it("deduplicates, skips API-key-only operations, adds offline_access on request", async () => {
    const scopes = await run(
      OAuthScope.forOperations(
        [
          Posts.submitUserPost,
          Posts.canUserSubmitPost,
          Posts.getUploadUrls,
          Posts.submitPostV2,
          Posts.setPostCustomizedButton,
          Posts.deletePostCustomizedButton,
          [Posts.createBusinessCustomizedButton, { business_token: "biz1" }],
          Posts.deleteBusinessCustomizedButton
        ],
        { offlineAccess: true }
      )
    )
    expect(scopes).toEqual([
      "SUBMIT_USER_POST",
      "USER_SET_CUSTOMIZED_BUTTON",
      "BUSINESS_CREATE_CUSTOMIZED_BUTTON.biz1",
      "offline_access"
    ])
    expect(await run(OAuthScope.forOperations([Posts.getUploadUrls]))).toEqual([])
  })

  it("accepts definitions as well as operation functions", async () => {
    expect(await run(OAuthScope.forOperations([Posts.getPostStats.definition]))).toEqual([
      "USER_POSTS_STATS_READ"
    ])
  })

  it("fails with MissingResource when a resource-only scope lacks its param", async () => {
    const error = await failure(OAuthScope.forOperations([Posts.getUserPost, Posts.editPost]))
    expect(error).toMatchObject({
      _tag: "InvalidScopeError",
      reason: "MissingResource",
      operation: "editPost",
      scope: "POST_EDIT.{post_token}"
    })
    expect(error.message).toContain("post_token")
  })

  it("fails with InvalidResource for a param that is not a token", async () => {
    const error = await failure(
      OAuthScope.forOperations([[Posts.editPost, { post_token: "x USER_POSTS_GET" }]])
    )
    expect(error).toMatchObject({ reason: "InvalidResource", operation: "editPost" })
  })

  it("every Post operation yields valid scopes when given its params", async () => {
    const params = { post_token: "gW4fL8Xq", business_token: "biz1", token: "AaEB0vbO" }
    const scopes = await run(
      OAuthScope.forOperations(Object.values(Posts.all).map((operation) => [operation, params] as const))
    )
    for (const scope of scopes) expect(OAuthScope.isValid(scope)).toBe(true)
    expect(scopes).toContain("POST_EDIT.gW4fL8Xq")
  })
})
