import { describe, expect, it } from "vitest"
import {
  button,
  categoryFields,
  generalData,
  type Harness,
  paths,
  setup,
  submit,
  uploadImage
} from "./utils.js"

const submitBody = (h: Harness, overrides: Record<string, unknown> = {}) => ({
  business_token: h.business,
  general_data: generalData(),
  category_fields: categoryFields,
  ...overrides
})

/** Submits and expects INVALID_ARGUMENT with `message`; nothing is created. */
const rejects = async (h: Harness, body: unknown, message: string | RegExp) => {
  const answer = await h.call("POST", paths.submitV2, { body })
  expect(answer.status).toBe(400)
  expect(answer.json.code).toBe(3)
  expect(answer.json.details).toEqual([])
  if (typeof message === "string") expect(answer.json.message).toBe(message)
  else expect(answer.json.message).toMatch(message)
  expect(h.sim.posts()).toEqual([])
}

describe("INVALID_ARGUMENT (400, code 3) as '<field>: <what>'", () => {
  it("missing required fields; proto3 zero values count as missing", async () => {
    const h = await setup()
    const { business_token: _, ...noBusiness } = submitBody(h)
    await rejects(h, noBusiness, "business_token: is required")
    await rejects(h, submitBody(h, { business_token: "" }), "business_token: is required")
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ title: "" }) }),
      "general_data.title: is required"
    )
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ city: "" }) }),
      "general_data.city: is required"
    )
    const { hide_phone: __, ...noHidePhone } = generalData()
    await rejects(h, submitBody(h, { general_data: noHidePhone }), "general_data.hide_phone: is required")
    await rejects(h, submitBody(h, { general_data: null }), "general_data: is required")
    await rejects(h, submitBody(h, { category_fields: undefined }), "category_fields: is required")
    await rejects(h, "", "business_token: is required")
  })

  it("unknown fields, wrong types and bad enum values", async () => {
    const h = await setup()
    await rejects(h, submitBody(h, { extra: 1 }), "extra: unknown field")
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ colour: "red" }) }),
      "general_data.colour: unknown field"
    )
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ title: 42 }) }),
      "general_data.title: expected a string, got number"
    )
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ hide_phone: "yes" }) }),
      /general_data.hide_phone: expected a boolean/
    )
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ location_type: "LOCATION_TYPE_FUZZY" }) }),
      /^general_data.location_type: invalid value "LOCATION_TYPE_FUZZY"/
    )
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ images: "a.jpg" }) }),
      /general_data.images: expected an array/
    )
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ latitude: 123 }) }),
      "general_data.latitude: must be within -90..90"
    )
    await rejects(
      h,
      submitBody(h, { landline_numbers: ["12"] }),
      "landline_numbers[0]: expected 11 digits starting with 0"
    )
    await rejects(h, "{not json", /^invalid JSON body/)
  })

  it("accepts proto JSON names (camelCase) too, as the gateway does", async () => {
    const h = await setup()
    const answer = await h.call("POST", paths.submitV2, {
      body: {
        businessToken: h.business,
        generalData: { ...generalData(), hidePhone: true, hide_phone: undefined },
        categoryFields: categoryFields
      }
    })
    expect(answer.status).toBe(200)
    expect(h.sim.post(answer.json.post_token)!.general_data.hide_phone).toBe(true)
  })

  it("category: unknown slug, and fields that do not match its submit schema", async () => {
    const h = await setup()
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ category_slug: "spaceships" }) }),
      "general_data.category_slug: unknown category 'spaceships'"
    )
    await rejects(
      h,
      submitBody(h, { category_fields: { rooms: "دو" } }),
      "category_fields.size: is required by category 'apartment-sell'"
    )
    await rejects(
      h,
      submitBody(h, { category_fields: { size: "80", rooms: "دو" } }),
      "category_fields.size: expected an integer, got string"
    )
    await rejects(
      h,
      submitBody(h, { category_fields: { size: 80.5, rooms: "دو" } }),
      "category_fields.size: expected an integer, got number"
    )
    await rejects(
      h,
      submitBody(h, { category_fields: { size: 80, rooms: "ده" } }),
      /^category_fields.rooms: "ده" is not one of/
    )
    await rejects(
      h,
      submitBody(h, { category_fields: { ...categoryFields, pool: true } }),
      "category_fields.pool: unknown field for category 'apartment-sell'"
    )
    await rejects(
      h,
      submitBody(h, { category_fields: { ...categoryFields, amenities: ["هلی‌پد"] } }),
      /^category_fields.amenities\[0\]: "هلی‌پد" is not one of/
    )
    const light = generalData({ category_slug: "light" })
    await rejects(
      h,
      submitBody(h, { general_data: light, category_fields: {} }),
      "category_fields.status: is required by category 'light'"
    )
    const ok = await h.call("POST", paths.submitV2, {
      body: submitBody(h, {
        category_fields: { ...categoryFields, balcony_area: 4.5, amenities: ["انباری", "سونا"] }
      })
    })
    expect(ok.status).toBe(200)
  })

  it("images and videos must have been uploaded to the simulator", async () => {
    const h = await setup()
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ images: ["forged.jpg"] }) }),
      "general_data.images[0]: unknown image 'forged.jpg'; upload it first"
    )
    const video = { name: "raw/nope.mp4", thumbnail_name: "thumbnail/nope.jpg", duration: "10" }
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ video }) }),
      "general_data.video.name: unknown video 'raw/nope.mp4'; upload it first"
    )
    await rejects(
      h,
      submitBody(h, { general_data: generalData({ video: { ...video, duration: "ten" } }) }),
      /general_data.video.duration: expected an unsigned 64-bit integer/
    )
    const image = await uploadImage(h)
    expect(
      (
        await h.call("POST", paths.submitV2, {
          body: submitBody(h, { general_data: generalData({ images: [image] }) })
        })
      ).status
    ).toBe(200)
  })

  it("EditPost (v1): title of 3 to 50 characters, description required", async () => {
    const h = await setup()
    const token = await submit(h)
    const bearer = h.token(h.alice, [`POST_EDIT.${token}`])
    const edit = (body: unknown) => h.call("PUT", paths.post(token), { bearer, body })
    const short = await edit({ title: "اب", description: "x" })
    expect([short.status, short.json.code, short.json.message]).toEqual([
      400,
      3,
      "title: must be 3 to 50 characters long (got 2)"
    ])
    expect((await edit({ title: "ا".repeat(51), description: "x" })).json.message).toBe(
      "title: must be 3 to 50 characters long (got 51)"
    )
    expect((await edit({ title: "ا".repeat(50), description: "x" })).status).toBe(200)
    expect((await edit({ title: "خانه", description: "x" })).status).toBe(200)
    expect((await edit({ title: "خانه" })).json.message).toBe("description: is required")
    expect((await edit({ title: "خانه", description: "x", image_paths: ["nope.jpg"] })).json.message).toBe(
      "image_paths[0]: unknown image 'nope.jpg'; upload it first"
    )
  })

  it("EditPostV2: update_mask must be non-empty and name editable fields", async () => {
    const h = await setup()
    const token = await submit(h)
    const bearer = h.token(h.alice, ["EDIT_USER_POST"])
    const edit = async (body: unknown) => {
      const answer = await h.call("PUT", paths.postV2(token), { bearer, body })
      return `${answer.status} ${answer.json.code} ${answer.json.message}`
    }
    expect(await edit({ general_data: { title: "عنوان" } })).toBe("400 3 update_mask: must not be empty")
    expect(await edit({ update_mask: [] })).toBe("400 3 update_mask: must not be empty")
    expect(await edit({ update_mask: ["title"] })).toMatch(/^400 3 update_mask: 'title' is not a field path/)
    expect(await edit({ update_mask: ["general_data.city"], general_data: { city: "karaj" } })).toBe(
      "400 3 update_mask: 'general_data.city' is not editable"
    )
    expect(await edit({ update_mask: ["general_data.colour"] })).toBe(
      "400 3 update_mask: 'general_data.colour': unknown field"
    )
    expect(await edit({ update_mask: ["category_data.pool"] })).toBe(
      "400 3 update_mask: 'category_data.pool': unknown field of category 'apartment-sell'"
    )
    expect(await edit({ update_mask: ["body.title"] })).toBe(
      "400 3 update_mask: 'body.title' must start with general_data. or category_data."
    )
    expect(await edit({ update_mask: ["general_data.title"] })).toBe(
      "400 3 general_data.title: is required; it is in update_mask but not set"
    )
    expect(await edit({ update_mask: ["category_data.size"] })).toBe(
      "400 3 category_data.size: is required by category 'apartment-sell'"
    )
    expect(await edit({ update_mask: ["category_data.rooms"], category_data: { rooms: 3 } })).toMatch(
      /^400 3 category_data.rooms: 3 is not one of/
    )
    expect(await edit({ update_mask: ["general_data.images"], general_data: { images: ["x.jpg"] } })).toBe(
      "400 3 general_data.images[0]: unknown image 'x.jpg'; upload it first"
    )
    // types are checked even outside the mask (the gateway parses the whole body)
    expect(
      await edit({ update_mask: ["general_data.title"], general_data: { title: "خوب", chat_enabled: "no" } })
    ).toMatch(/^400 3 general_data.chat_enabled: expected a boolean/)
    expect(h.sim.post(token)!.general_data.title).toBe("آپارتمان ۸۰ متری نورگیر")
  })

  it("customized buttons: a type and exactly one action", async () => {
    const h = await setup()
    const token = await submit(h)
    const bearer = h.token(h.alice, ["USER_SET_CUSTOMIZED_BUTTON"])
    const set = async (customized_button: unknown) =>
      (await h.call("POST", paths.postButton(token), { bearer, body: { customized_button } })).json.message
    expect(await set(undefined)).toBe("customized_button: is required")
    expect(await set({ type: "ONLINE_CALL" })).toBe("customized_button.action: is required")
    expect(await set({ type: "FAX", action: button.action })).toMatch(
      /^customized_button.type: invalid value "FAX"/
    )
    expect(await set({ type: "ONLINE_CALL", action: {} })).toMatch(
      /^customized_button.action: exactly one of .* must be set \(got 0\)/
    )
    expect(
      await set({
        type: "ONLINE_CALL",
        action: { open_direct_link: "https://a.ir", open_post_page: { post_token: token } }
      })
    ).toMatch(/\(got 2\)$/)
    expect(await set({ type: "ONLINE_CALL", action: { open_direct_link: "javascript:alert(1)" } })).toBe(
      "customized_button.action.open_direct_link: expected an http(s) URL"
    )
    expect(await set({ type: "ONLINE_CALL", action: { open_post_page: {} } })).toBe(
      "customized_button.action.open_post_page.post_token: is required"
    )
  })
})

describe("NOT_FOUND (404, code 5)", () => {
  it("unknown posts and businesses", async () => {
    const h = await setup()
    const bearer = h.token(h.alice, ["USER_POSTS_GET", "BUSINESS_CREATE_CUSTOMIZED_BUTTON.Nobody001"])
    const post = await h.call("GET", paths.userPost("Missing01"), { bearer })
    expect([post.status, post.json]).toEqual([
      404,
      { code: 5, message: "post Missing01 not found", details: [] }
    ])
    const business = await h.call("DELETE", paths.businessButton("Nobody001"))
    expect([business.status, business.json.code, business.json.message]).toEqual([
      404,
      5,
      "business Nobody001 not found"
    ])
    const submitted = await h.call("POST", paths.submitV2, {
      body: submitBody(h, { business_token: "Nobody001" })
    })
    expect([submitted.status, submitted.json.code]).toEqual([404, 5])
    const button2 = await h.call("POST", paths.businessButton("Nobody001"), {
      bearer,
      body: { customized_button: button }
    })
    expect(button2.status).toBe(404)
  })

  it("unknown routes answer 404 code 5, a known path with another method 405 code 12", async () => {
    const h = await setup()
    const unknown = await h.call("GET", "/v1/open-platform/nothing-here")
    expect([unknown.status, unknown.json]).toEqual([404, { code: 5, message: "Not Found", details: [] }])
    const method = await h.call("PATCH", paths.post("AaEB0vbO"))
    expect([method.status, method.json]).toEqual([
      405,
      { code: 12, message: "Method Not Allowed", details: [] }
    ])
  })
})

describe("FAILED_PRECONDITION (code 9)", () => {
  const cases = [
    ["expired", (h: Harness, token: string) => h.sim.expire(token)],
    ["retired", (h: Harness, token: string) => h.sim.retire(token)],
    ["rejected", (h: Harness, token: string) => h.sim.reject(token, "تکراری")],
    [
      "deleted",
      async (h: Harness, token: string) => {
        await h.call("DELETE", paths.post(token), { bearer: h.token(h.alice, ["DELETE_USER_POST"]) })
      }
    ]
  ] as const

  for (const [name, spoil] of cases) {
    it(`editing or setting a button on a ${name} post`, async () => {
      const h = await setup()
      const token = h.sim.addPost({ owner: h.alice, general_data: { title: "آگهی قدیمی" } })
      await spoil(h, token)
      const bearer = h.token(h.alice, [`POST_EDIT.${token}`, "EDIT_USER_POST", "USER_SET_CUSTOMIZED_BUTTON"])
      const v1 = await h.call("PUT", paths.post(token), {
        bearer,
        body: { title: "عنوان نو", description: "x" }
      })
      const v2 = await h.call("PUT", paths.postV2(token), {
        bearer,
        body: { update_mask: ["general_data.title"], general_data: { title: "عنوان نو" } }
      })
      const set = await h.call("POST", paths.postButton(token), {
        bearer,
        body: { customized_button: button }
      })
      for (const answer of [v1, v2, set]) {
        expect([answer.status, answer.json.code]).toEqual([400, 9])
        expect(answer.json.message).toMatch(new RegExp(`^post ${token} cannot be changed`))
      }
      expect(h.sim.post(token)!.general_data.title).toBe("آگهی قدیمی")
    })
  }

  it("answers HTTP 412 when configured like Kenar's docs", async () => {
    const h = await setup({ failedPreconditionStatus: 412 })
    const token = h.sim.addPost({
      owner: h.alice,
      general_data: { title: "آگهی" },
      state: "POST_STATE_RETIRED"
    })
    const answer = await h.call("PUT", paths.post(token), {
      bearer: h.token(h.alice, [`POST_EDIT.${token}`]),
      body: { title: "عنوان نو", description: "x" }
    })
    expect([answer.status, answer.json.code]).toEqual([412, 9])
  })
})
