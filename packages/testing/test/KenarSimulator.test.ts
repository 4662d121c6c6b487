import { Posts } from "@kenar/core"
import { describe, expect, it } from "vitest"
import * as KenarSimulator from "../src/KenarSimulator.js"
import {
  apiKey,
  button,
  categoryFields,
  generalData,
  paths,
  setup,
  start,
  submit,
  uploadImage,
  uploadVideo
} from "./utils.js"

const day = 24 * 60 * 60 * 1000

describe("the 14 operations answer in proto3 JSON", () => {
  it("SubmitPostV2 creates a business post waiting for payment", async () => {
    const h = await setup()
    const answer = await h.call("POST", paths.submitV2, {
      body: {
        business_token: h.business,
        general_data: generalData(),
        category_fields: categoryFields,
        landline_numbers: ["02188888888"]
      }
    })
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type")).toBe("application/json")
    expect(Object.keys(answer.json)).toEqual(["post_token"])
    expect(answer.json.post_token).toMatch(/^[_a-zA-Z0-9]{8,9}$/)
    const post = h.sim.post(answer.json.post_token)!
    expect(post).toMatchObject({
      state: "POST_STATE_WAITING_FOR_PAYMENT",
      owner: h.alice,
      business: h.business,
      submittedBy: "provider",
      landline_numbers: ["02188888888"],
      category_data: categoryFields
    })
    expect(post.general_data.title).toBe("آپارتمان ۸۰ متری نورگیر")
  })

  it("SubmitUserPost creates a post of the OAuth user", async () => {
    const h = await setup()
    const bearer = h.token(h.alice, ["SUBMIT_USER_POST"])
    const answer = await h.call("POST", paths.submitUser, {
      bearer,
      body: { business_token: h.business, general_data: generalData(), category_fields: categoryFields }
    })
    expect(answer.status).toBe(200)
    expect(h.sim.post(answer.json.post_token)).toMatchObject({ owner: h.alice, submittedBy: "user" })
  })

  it("GetUserPost omits zero values: first enum values, false, empty strings and lists", async () => {
    const h = await setup()
    const cars = h.sim.addBusiness({ token: "Cars0001", name: "نمایشگاه", type: "CAR", owner: h.alice })
    const token = h.sim.addPost({
      owner: h.alice,
      business: cars,
      state: "POST_STATE_IN_PUBLISH_QUEUE",
      general_data: { title: "پژو ۲۰۶", category_slug: "light", hide_phone: false, chat_enabled: false },
      category_data: { status: "used", price: 0 }
    })
    const answer = await h.call("GET", paths.userPost(token), {
      bearer: h.token(h.alice, ["USER_POSTS_GET"])
    })
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({
      general_data: { category_slug: "light", title: "پژو ۲۰۶", city: "tehran" },
      // a Struct keeps its zero values
      category_data: { status: "used", price: 0 },
      business_data: { business_name: "نمایشگاه" }
    })
  })

  it("GetUserPost returns every set field, video duration as a string", async () => {
    const h = await setup()
    const image = await uploadImage(h)
    const video = await uploadVideo(h)
    const token = await submit(h, {
      general_data: generalData({
        images: [image],
        district: "abshar",
        latitude: 35.7152,
        longitude: 51.4043,
        hide_phone: true,
        video: { name: video.video_name, thumbnail_name: video.thumbnail_name, duration: 34 }
      })
    })
    h.sim.reject(token, "عکس نامناسب", "POST_STATE_WAITING_FOR_EDIT")
    const answer = await h.call("GET", paths.userPost(token), {
      bearer: h.token(h.alice, ["USER_POSTS_GET"])
    })
    expect(answer.json).toEqual({
      general_data: {
        category_slug: "apartment-sell",
        title: "آپارتمان ۸۰ متری نورگیر",
        description: "دو خواب، طبقه سوم",
        images: [image],
        city: "tehran",
        district: "abshar",
        latitude: 35.7152,
        longitude: 51.4043,
        location_type: "LOCATION_TYPE_EXACT",
        hide_phone: true,
        chat_enabled: true,
        video: { name: video.video_name, thumbnail_name: video.thumbnail_name, duration: "34" }
      },
      category_data: categoryFields,
      business_data: { business_name: "املاک آلیس", business_type: "REAL_ESTATE" },
      state: "POST_STATE_WAITING_FOR_EDIT",
      reject_reason: "عکس نامناسب"
    })
  })

  it("GetPostStats: the last 7 days, zero counts and totals omitted", async () => {
    const h = await setup()
    const token = h.sim.addPost({ owner: h.alice, general_data: { title: "آگهی آمار" } })
    const bearer = h.token(h.alice, ["USER_POSTS_STATS_READ"])
    const dates = Array.from({ length: 7 }, (_, i) =>
      new Date(start - (6 - i) * day).toISOString().slice(0, 10)
    )

    const empty = await h.call("GET", paths.stats(token), { bearer })
    expect(empty.status).toBe(200)
    const onlyDates = { daily: dates.map((date) => ({ date })) }
    expect(empty.json).toEqual({ views: onlyDates, impressions: onlyDates, chats: onlyDates })

    h.sim.recordStats(token, { views: 10, impressions: 100 })
    h.sim.recordStats(token, { views: 5, chats: 2 }, dates[0]!)
    h.sim.recordStats(token, { views: 1000 }, new Date(start - 30 * day).toISOString().slice(0, 10))
    const answer = await h.call("GET", paths.stats(token), { bearer })
    expect(answer.json.views.total).toBe(1015)
    expect(answer.json.views.daily).toEqual([
      { date: dates[0], count: 5 },
      ...dates.slice(1, 6).map((date) => ({ date })),
      { date: dates[6], count: 10 }
    ])
    expect(answer.json.impressions.total).toBe(100)
    expect(answer.json.chats).toEqual({
      total: 2,
      daily: [{ date: dates[0], count: 2 }, ...dates.slice(1).map((date) => ({ date }))]
    })
  })

  it("CanUserSubmitPost: {can_submit: true}, or {} when the user cannot", async () => {
    const h = await setup()
    const bearer = h.token(h.alice, ["SUBMIT_USER_POST"])
    expect((await h.call("GET", paths.canSubmit, { bearer })).json).toEqual({ can_submit: true })
    h.sim.setCanSubmit(h.alice, false)
    const answer = await h.call("GET", paths.canSubmit, { bearer })
    expect(answer.status).toBe(200)
    expect(answer.text).toBe("{}")
  })

  it("EditPost (v1) replaces title, description and images", async () => {
    const h = await setup()
    const token = await submit(h)
    const image = await uploadImage(h)
    const answer = await h.call("PUT", paths.post(token), {
      bearer: h.token(h.alice, [`POST_EDIT.${token}`]),
      body: { title: "عنوان تازه", description: "توضیح تازه", image_paths: [image] }
    })
    expect(answer.status).toBe(200)
    expect(answer.text).toBe("{}")
    expect(h.sim.post(token)!.general_data).toMatchObject({
      title: "عنوان تازه",
      description: "توضیح تازه",
      images: [image]
    })
  })

  it("EditPostV2 changes only masked fields; masked but absent fields are cleared", async () => {
    const h = await setup()
    const video = await uploadVideo(h)
    const token = await submit(h, {
      general_data: generalData({
        district: "abshar",
        video: { name: video.video_name, thumbnail_name: video.thumbnail_name, duration: "12" }
      }),
      category_fields: { ...categoryFields, price: 100, elevator: "دارد" }
    })
    const answer = await h.call("PUT", paths.postV2(token), {
      bearer: h.token(h.alice, ["EDIT_USER_POST"]),
      body: {
        update_mask: [
          "general_data.title",
          "general_data.video",
          "general_data.district",
          "category_data.price",
          "category_data.elevator"
        ],
        general_data: {
          title: "عنوان ویرایش‌شده",
          description: "not in the mask: ignored",
          district: "niavaran"
        },
        category_data: { price: 200, size: 999 }
      }
    })
    expect(answer.status).toBe(200)
    expect(answer.text).toBe("{}")
    const post = h.sim.post(token)!
    expect(post.general_data).toMatchObject({
      title: "عنوان ویرایش‌شده",
      description: "دو خواب، طبقه سوم",
      district: "niavaran",
      video: undefined
    })
    expect(post.category_data).toEqual({ ...categoryFields, price: 200 })
  })

  it("EditPostV2 sends a post waiting for an edit back to review", async () => {
    const h = await setup()
    const token = await submit(h)
    h.sim.reject(token, "عنوان نامناسب", "POST_STATE_WAITING_FOR_EDIT")
    await h.call("PUT", paths.postV2(token), {
      bearer: h.token(h.alice, [`POST_EDIT.${token}`]),
      body: { update_mask: ["general_data.title"], general_data: { title: "عنوان مناسب" } }
    })
    expect(h.sim.post(token)).toMatchObject({ state: "POST_STATE_WAITING_FOR_REVIEW", reject_reason: "" })
  })

  it("SetPostCustomizedButton is an upsert; DeletePostCustomizedButton removes it", async () => {
    const h = await setup()
    const token = await submit(h)
    const bearer = h.token(h.alice, ["USER_SET_CUSTOMIZED_BUTTON"])
    expect(
      (await h.call("POST", paths.postButton(token), { bearer, body: { customized_button: button } })).text
    ).toBe("{}")
    const second = { type: "ONLINE_CALL", action: { open_post_page: { post_token: token } } }
    expect(
      (await h.call("POST", paths.postButton(token), { bearer, body: { customized_button: second } })).status
    ).toBe(200)
    expect(h.sim.post(token)!.customized_button).toEqual(second)
    const deleted = await h.call("DELETE", paths.postButton(token), { bearer })
    expect([deleted.status, deleted.text]).toEqual([200, "{}"])
    expect(h.sim.post(token)!.customized_button).toBeUndefined()
  })

  it("Create/DeleteBusinessCustomizedButton: create once, delete with the API key only", async () => {
    const h = await setup()
    const bearer = h.token(h.alice, [`BUSINESS_CREATE_CUSTOMIZED_BUTTON.${h.business}`])
    const created = await h.call("POST", paths.businessButton(h.business), {
      bearer,
      body: { customized_button: button }
    })
    expect([created.status, created.text]).toEqual([200, "{}"])
    expect(h.sim.business(h.business)!.customized_button).toEqual(button)
    const again = await h.call("POST", paths.businessButton(h.business), {
      bearer,
      body: { customized_button: button }
    })
    expect(again.status).toBe(409)
    expect(again.json).toEqual({
      code: 6,
      message: `business ${h.business} already has a customized button`,
      details: []
    })
    const deleted = await h.call("DELETE", paths.businessButton(h.business))
    expect([deleted.status, deleted.text]).toEqual([200, "{}"])
    expect(h.sim.business(h.business)!.customized_button).toBeUndefined()
    expect(
      (
        await h.call("POST", paths.businessButton(h.business), {
          bearer,
          body: { customized_button: button }
        })
      ).status
    ).toBe(200)
  })

  it("DeleteUserPost moves the post to DELETED; later reads are NOT_FOUND", async () => {
    const h = await setup()
    const token = await submit(h)
    const bearer = h.token(h.alice, ["DELETE_USER_POST", "USER_POSTS_GET", "USER_POSTS_STATS_READ"])
    const deleted = await h.call("DELETE", paths.post(token), { bearer })
    expect([deleted.status, deleted.text]).toEqual([200, "{}"])
    expect(h.sim.post(token)!.state).toBe("POST_STATE_DELETED")
    expect((await h.call("GET", paths.userPost(token), { bearer })).json.code).toBe(5)
    expect((await h.call("GET", paths.stats(token), { bearer })).status).toBe(404)
    expect((await h.call("DELETE", paths.post(token), { bearer })).status).toBe(404)
  })

  it("GetUploadURLsV2 and GetImageUploadURL point at the simulator", async () => {
    const h = await setup()
    const urls = await h.call("GET", paths.uploadUrls)
    expect(urls.json).toEqual({
      image: { url: `${h.server.url}/__upload/image`, http_method: "POST" },
      video: { url: `${h.server.url}/__upload/video`, http_method: "PUT" }
    })
    const v1 = await h.call("GET", paths.imageUploadUrl)
    expect(Object.keys(v1.json)).toEqual(["upload_url"])
    expect(v1.json.upload_url).toMatch(new RegExp(`^${h.server.url}/__upload/v1/[0-9a-f-]+$`))
  })

  it("routes come from the core's operation table: every operation is served", async () => {
    const h = await setup()
    for (const { definition } of Object.values(Posts.all)) {
      const path = definition.path.replace(/\{\w+\}/g, "Unknown01")
      const answer = await h.call(definition.method, path, { apiKey: null })
      // the route exists: the API key is checked, not a 404/405 for the path
      expect([definition.name, answer.status, answer.json.code]).toEqual([definition.name, 401, 16])
    }
  })
})

describe("state helpers", () => {
  it("drive a post through its life cycle and refuse impossible moves", async () => {
    const h = await setup()
    const token = await submit(h)
    expect(() => h.sim.queue(token)).toThrow(/cannot move/)
    h.sim.pay(token)
    expect(h.sim.post(token)!.state).toBe("POST_STATE_WAITING_FOR_REVIEW")
    h.sim.queue(token)
    expect(h.sim.post(token)!.state).toBe("POST_STATE_IN_PUBLISH_QUEUE")
    h.sim.publish(token)
    expect(h.sim.post(token)).toMatchObject({
      state: "POST_STATE_PUBLISHED",
      publishedAt: start,
      expiresAt: start + 30 * day
    })
    h.sim.reject(token, "ویرایش رد شد", "POST_STATE_PUBLISHED_AND_EDIT_REJECTED")
    expect(h.sim.post(token)).toMatchObject({
      state: "POST_STATE_PUBLISHED_AND_EDIT_REJECTED",
      reject_reason: "ویرایش رد شد"
    })
    h.sim.retire(token)
    expect(h.sim.post(token)!.state).toBe("POST_STATE_RETIRED")
    expect(() => h.sim.publish(token)).toThrow(/cannot move/)
    expect(() => h.sim.pay("Missing01")).toThrow(/unknown post/)
  })

  it("a published post retires when its lifetime ends on the clock", async () => {
    const h = await setup({ postLifetimeDays: 2 })
    const token = h.sim.addPost({ owner: h.alice, general_data: { title: "عمر کوتاه" } })
    h.clock.advance(2 * day - 1)
    expect(h.sim.post(token)!.state).toBe("POST_STATE_PUBLISHED")
    h.clock.advance(1)
    expect(h.sim.post(token)!.state).toBe("POST_STATE_RETIRED")
  })

  it("expire ends a post's lifetime now", async () => {
    const h = await setup()
    const token = h.sim.addPost({ owner: h.alice, general_data: { title: "منقضی" } })
    h.sim.expire(token)
    expect(h.sim.post(token)!.state).toBe("POST_STATE_RETIRED")
  })

  it("addPost checks its category data", async () => {
    const h = await setup()
    expect(() =>
      h.sim.addPost({
        owner: h.alice,
        general_data: { title: "x" },
        category_data: { size: "big", rooms: "دو" }
      })
    ).toThrow(/category_data.size: expected an integer/)
  })

  it("the request log has routes, operations, statuses and no secrets", async () => {
    const h = await setup()
    const bearer = h.token(h.alice, ["USER_POSTS_GET"])
    await h.call("GET", paths.userPost("Missing01"), { bearer })
    await h.call("GET", paths.uploadUrls, { apiKey: null })
    await h.call("GET", "/nowhere")
    expect(h.sim.requests()).toEqual([
      expect.objectContaining({
        method: "GET",
        route: "/v1/open-platform/user-post/{token}",
        operation: "getUserPost",
        status: 404,
        apiKey: true,
        accessToken: true,
        fault: undefined
      }),
      expect.objectContaining({ operation: "getUploadUrls", status: 401, apiKey: false, accessToken: false }),
      expect.objectContaining({ route: "/nowhere", operation: undefined, status: 404 })
    ])
    const logged = JSON.stringify(h.sim.requests())
    expect(logged).not.toContain(apiKey)
    expect(logged).not.toContain(bearer)
    h.sim.clearRequests()
    expect(h.sim.requests()).toEqual([])
  })

  it("seedDemo fills a world whose token covers every operation", async () => {
    const sim = KenarSimulator.make()
    const demo = KenarSimulator.seedDemo(sim)
    expect(demo.posts).toHaveLength(5)
    expect(new Set(demo.posts.map((token) => sim.post(token)!.state)).size).toBe(5)
    expect(sim.summary()).toMatchObject({ apps: 1, users: [demo.user], uploads: { images: 2, videos: 0 } })
    const response = await sim.handler(
      new Request(`http://sim.test/v1/open-platform/user-post/${demo.posts[0]}`, {
        headers: { "x-api-key": demo.apiKey, authorization: `Bearer ${demo.accessToken}` }
      })
    )
    expect(response.status).toBe(200)
    expect((await response.json()).general_data.title).toMatch(/آپارتمان/)
  })

  it("cors: answers preflights and lets browsers read answers (off by default)", async () => {
    const plain = KenarSimulator.make()
    const preflight = () =>
      new Request("http://sim.test/v2/open-platform/post/upload-urls", {
        method: "OPTIONS",
        headers: { origin: "http://localhost:5173", "access-control-request-headers": "x-api-key" }
      })
    expect((await plain.handler(preflight())).headers.get("access-control-allow-origin")).toBeNull()
    const sim = KenarSimulator.make({ cors: true })
    const key = sim.addApp()
    const answer = await sim.handler(preflight())
    expect(answer.status).toBe(204)
    expect(answer.headers.get("access-control-allow-headers")).toContain("x-api-key")
    const call = await sim.handler(
      new Request("http://sim.test/v2/open-platform/post/upload-urls", { headers: { "x-api-key": key } })
    )
    expect(call.headers.get("access-control-allow-origin")).toBe("*")
  })
})
