import { describe, expect, it } from "vitest"
import { button, categoryFields, generalData, paths, setup, submit } from "./utils.js"

describe("API key", () => {
  it("is required on every operation: 401 UNAUTHENTICATED", async () => {
    const h = await setup()
    const missing = await h.call("GET", paths.uploadUrls, { apiKey: null })
    expect(missing.status).toBe(401)
    expect(missing.headers.get("content-type")).toBe("application/json")
    expect(missing.json).toEqual({ code: 16, message: "missing API key (x-api-key header)", details: [] })
    const wrong = await h.call("GET", paths.uploadUrls, { apiKey: "not-a-key" })
    expect([wrong.status, wrong.json.code, wrong.json.message]).toEqual([401, 16, "invalid API key"])
  })

  it("is read from the header in any letter case", async () => {
    const h = await setup()
    const answer = await h.call("GET", paths.uploadUrls, {
      apiKey: null,
      headers: { "X-API-Key": "test-api-key" }
    })
    expect(answer.status).toBe(200)
  })

  it("is checked before the access token", async () => {
    const h = await setup()
    const answer = await h.call("GET", paths.canSubmit, {
      apiKey: null,
      bearer: h.token(h.alice, ["SUBMIT_USER_POST"])
    })
    expect(answer.json.code).toBe(16)
  })

  it("is all provider operations need", async () => {
    const h = await setup()
    const token = await submit(h)
    expect(token).toBeTruthy()
    expect((await h.call("DELETE", paths.businessButton(h.business))).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(200)
    expect((await h.call("GET", paths.imageUploadUrl)).status).toBe(200)
  })
})

describe("OAuth", () => {
  it("no, unknown or expired bearer token: 401 UNAUTHENTICATED", async () => {
    const h = await setup()
    const none = await h.call("GET", paths.canSubmit)
    expect([none.status, none.json.code]).toEqual([401, 16])
    const unknown = await h.call("GET", paths.canSubmit, { bearer: "made-up" })
    expect([unknown.status, unknown.json.message]).toEqual([401, "invalid access token"])
    const bearer = h.token(h.alice, ["SUBMIT_USER_POST"], 60)
    expect((await h.call("GET", paths.canSubmit, { bearer })).status).toBe(200)
    h.clock.advance(60_000)
    const expired = await h.call("GET", paths.canSubmit, { bearer })
    expect([expired.status, expired.json.code, expired.json.message]).toEqual([
      401,
      16,
      "access token expired"
    ])
  })

  it("a token without a covering scope: 403 PERMISSION_DENIED", async () => {
    const h = await setup()
    const answer = await h.call("GET", paths.canSubmit, { bearer: h.token(h.alice, ["USER_POSTS_GET"]) })
    expect(answer.status).toBe(403)
    expect(answer.json).toEqual({ code: 7, message: "missing OAuth scope: SUBMIT_USER_POST", details: [] })
  })

  it("resource scopes are filled from the path", async () => {
    const h = await setup()
    const mine = await submit(h)
    const other = await submit(h)
    const bearer = h.token(h.alice, [`POST_EDIT.${other}`])
    const body = { title: "عنوان جدید", description: "توضیح" }
    const denied = await h.call("PUT", paths.post(mine), { bearer, body })
    expect([denied.status, denied.json.code, denied.json.message]).toEqual([
      403,
      7,
      `missing OAuth scope: POST_EDIT.${mine}`
    ])
    expect((await h.call("PUT", paths.post(other), { bearer, body })).status).toBe(200)
  })

  it("any one listed scope suffices (EditPostV2: EDIT_USER_POST or POST_EDIT.<token>)", async () => {
    const h = await setup()
    const token = await submit(h)
    const body = { update_mask: ["general_data.title"], general_data: { title: "عنوان تازه" } }
    for (const scope of ["EDIT_USER_POST", `POST_EDIT.${token}`]) {
      expect(
        (await h.call("PUT", paths.postV2(token), { bearer: h.token(h.alice, [scope]), body })).status
      ).toBe(200)
    }
    const wrong = await h.call("PUT", paths.postV2(token), {
      bearer: h.token(h.alice, ["POST_EDIT.Other0001"]),
      body
    })
    expect(wrong.json.message).toBe(`missing OAuth scope: EDIT_USER_POST or POST_EDIT.${token}`)
  })

  it("a user sees only their own posts: someone else's post is NOT_FOUND like a missing one", async () => {
    const h = await setup()
    const token = await submit(h)
    const bearer = h.token(h.bob, [
      "USER_POSTS_GET",
      "USER_POSTS_STATS_READ",
      "DELETE_USER_POST",
      "EDIT_USER_POST",
      "USER_SET_CUSTOMIZED_BUTTON"
    ])
    const theirs = await h.call("GET", paths.userPost(token), { bearer })
    const missing = await h.call("GET", paths.userPost("Missing01"), { bearer })
    expect([theirs.status, theirs.json.code]).toEqual([404, 5])
    expect(theirs.json.message).toBe(missing.json.message.replace("Missing01", token))
    expect((await h.call("GET", paths.stats(token), { bearer })).status).toBe(404)
    expect((await h.call("DELETE", paths.post(token), { bearer })).status).toBe(404)
    expect((await h.call("DELETE", paths.postButton(token), { bearer })).status).toBe(404)
    const edit = { update_mask: ["general_data.title"], general_data: { title: "دزدیده" } }
    expect((await h.call("PUT", paths.postV2(token), { bearer, body: edit })).status).toBe(404)
    expect(
      (await h.call("POST", paths.postButton(token), { bearer, body: { customized_button: button } })).status
    ).toBe(404)
    expect(h.sim.post(token)!.state).toBe("POST_STATE_WAITING_FOR_PAYMENT")
  })

  it("business operations need a member of the business", async () => {
    const h = await setup()
    const create = { customized_button: button }
    const bob = h.token(h.bob, [`BUSINESS_CREATE_CUSTOMIZED_BUTTON.${h.business}`, "SUBMIT_USER_POST"])
    const denied = await h.call("POST", paths.businessButton(h.business), { bearer: bob, body: create })
    expect([denied.status, denied.json.code]).toEqual([403, 7])
    const submitted = await h.call("POST", paths.submitUser, {
      bearer: bob,
      body: { business_token: h.business, general_data: generalData(), category_fields: categoryFields }
    })
    expect([submitted.status, submitted.json.code]).toEqual([403, 7])
    const member = h.sim.addBusiness({ token: "Shared001", name: "مشترک", owner: h.alice, members: [h.bob] })
    const memberToken = h.token(h.bob, [`BUSINESS_CREATE_CUSTOMIZED_BUTTON.${member}`])
    expect(
      (await h.call("POST", paths.businessButton(member), { bearer: memberToken, body: create })).status
    ).toBe(200)
  })

  it("SubmitUserPost of a user who cannot submit: FAILED_PRECONDITION", async () => {
    const h = await setup()
    h.sim.setCanSubmit(h.alice, false)
    const answer = await h.call("POST", paths.submitUser, {
      bearer: h.token(h.alice, ["SUBMIT_USER_POST"]),
      body: { business_token: h.business, general_data: generalData(), category_fields: categoryFields }
    })
    expect([answer.status, answer.json.code]).toEqual([400, 9])
    expect(h.sim.posts()).toEqual([])
  })
})
