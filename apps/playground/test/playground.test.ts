/**
 * The playground end to end in real Chromium (Debian's, driven by
 * playwright-core): the server on ephemeral ports (simulator + proxy +
 * Vite), the story walked through the UI on a phone-sized viewport, and
 * injected faults on a desktop one. Assertions on what the page shows and
 * on the simulator's state. Screenshots of each step go to
 * `${CI_ARTIFACTS:-.ci-artifacts}/playground/`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium, type Locator, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Playground, startPlayground } from "../server.js"

const CHROMIUM = process.env.KENAR_CHROMIUM ?? "/usr/bin/chromium"
const ARTIFACTS = path.resolve(process.env.CI_ARTIFACTS ?? ".ci-artifacts", "playground")
const PHOTO = readFileSync(fileURLToPath(new URL("./fixtures/apartment.jpg", import.meta.url)))

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 900 }

let playground: Playground
let browser: Browser
// a Vite cache of its own, so that a `pnpm dev` running meanwhile is left alone
const cacheDir = mkdtempSync(path.join(tmpdir(), "kenar-playground-vite-"))

const shot = async (page: Page, name: string, options: { readonly fullPage?: boolean } = {}) => {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: options.fullPage ?? false })
}

/** Scrolls an element to the top of the viewport, for a screenshot of that step. */
const top = (locator: Locator) => locator.evaluate((element) => element.scrollIntoView({ block: "start" }))

/** A tab of its own (own cookies, so its own session), with the app loaded. */
const open = async (viewport: { width: number; height: number }, hash = "#/story") => {
  const context = await browser.newContext({ viewport })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  await page.goto(`${playground.url}${hash}`)
  await page.getByTestId("mode").waitFor()
  return page
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  playground = await startPlayground({ port: 0, env: {}, cacheDir })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
  })
  // Warm-up: Vite's first dependency optimisation and module transforms happen here, not in the steps.
  const page = await browser.newPage()
  await page.goto(playground.url, { timeout: 90_000 })
  await page.getByTestId("story").waitFor({ timeout: 90_000 })
  await page.goto(`${playground.url}#/op/getUserPost`)
  await page.getByTestId("screen-getUserPost").waitFor({ timeout: 30_000 })
  await page.close()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await playground?.close()
  rmSync(cacheDir, { recursive: true, force: true })
})

describe("the playground in Chromium", () => {
  it("walks the story on a phone: sign in, upload, submit, read, edit, stats, button, delete", async () => {
    const { sim, demo } = playground
    const page = await open(PHONE)
    const step = (id: string) => page.getByTestId(`step-${id}`)
    await shot(page, "01-story-phone")

    // 1. sign in: OAuth through the proxy's routes, approved on the simulator's consent page
    await page.getByTestId("sign-in").click()
    await page.locator('button[value="approve"]').waitFor()
    expect(page.url()).toContain(`${playground.simulatorUrl}/oauth2/auth`)
    expect(await page.locator("#scopes li").count()).toBeGreaterThan(5)
    await shot(page, "02-consent-phone")
    await page.locator('button[value="approve"]').click()
    await page.getByTestId("signed-in").waitFor()
    expect(page.url()).toBe(`${playground.url}#/story`) // the outcome left the address bar
    await expect.poll(() => page.getByTestId("login-banner").textContent()).toContain("Signed in")
    expect(sim!.oauth.stats()).toMatchObject({ approved: 1, token: { authorization_code: 1 } })

    // 2. may the user submit?
    await expect.poll(() => page.getByTestId("can-submit").textContent()).toContain("Yes")
    await shot(page, "03-signed-in-phone")

    // 3. photos: one dropped (a DataTransfer drop), one chosen; the first one slowed down to watch progress
    sim!.faults.inject({ kind: "latency", ms: 1200, operation: "uploadImage", times: 1 })
    const dataTransfer = await page.evaluateHandle(
      (bytes) => {
        const transfer = new DataTransfer()
        transfer.items.add(new File([new Uint8Array(bytes)], "apartment.jpg", { type: "image/jpeg" }))
        return transfer
      },
      [...PHOTO]
    )
    await page.getByTestId("dropzone").dispatchEvent("dragover", { dataTransfer })
    await page.getByTestId("dropzone").dispatchEvent("drop", { dataTransfer })
    await page.getByTestId("upload-progress").waitFor()
    await expect.poll(() => step("photos").textContent()).toContain("waiting for Kenar") // every byte sent
    await top(step("photos"))
    await shot(page, "04-upload-progress-phone")
    await page.getByTestId("photo-path").first().waitFor()
    await page
      .getByTestId("file-input")
      .setInputFiles({ name: "living-room.jpg", mimeType: "image/jpeg", buffer: PHOTO })
    await expect.poll(() => page.getByTestId("photo-path").count()).toBe(2)
    await top(step("photos"))
    const paths = await page.getByTestId("photo-path").allTextContents()
    expect(sim!.uploads().images.map((image) => image.path)).toEqual(expect.arrayContaining(paths))
    await shot(page, "05-photos-phone")

    // 4. submit
    await page.getByTestId("submit").click()
    await page.getByTestId("post-token").waitFor()
    const token = (await page.getByTestId("post-token").locator("code").textContent())!
    const submitted = sim!.post(token)!
    expect(submitted).toMatchObject({
      owner: demo!.user,
      submittedBy: "user",
      general_data: { title: "آپارتمان ۷۵ متری، نورگیر و دنج", images: paths }
    })

    // 5. see it: Persian laid out right to left
    const title = page.getByTestId("post-title")
    await expect.poll(() => title.textContent()).toBe("آپارتمان ۷۵ متری، نورگیر و دنج")
    expect(await title.evaluate((element) => getComputedStyle(element).direction)).toBe("rtl")
    expect(await page.getByTestId("post-images").textContent()).toBe("2")
    await top(step("read"))
    await shot(page, "06-post-phone")

    // 6. edit with a field mask
    expect(await page.getByTestId("edit-mask").textContent()).toBe(
      '["general_data.title","category_data.price"]'
    )
    await page.getByTestId("save-edit").click()
    await page.getByTestId("edited").waitFor()
    await expect.poll(() => title.textContent()).toBe("آپارتمان ۷۵ متری، قیمت توافقی")
    expect(sim!.post(token)!.general_data.title).toBe("آپارتمان ۷۵ متری، قیمت توافقی")
    expect(sim!.post(token)!.category_data).toMatchObject({ price: 9_500_000_000, size: 75, rooms: "دو" })
    await top(step("edit"))
    await shot(page, "07-edited-phone")

    // 7. stats
    await page.getByTestId("stats").waitFor()
    expect(await page.getByTestId("stats-views").textContent()).toBe("0")
    await step("stats")
      .getByRole("button", { name: /Simulate visitors/ })
      .click()
    await expect.poll(() => page.getByTestId("stats-views").textContent()).toBe("25")
    await top(step("stats"))
    await shot(page, "08-stats-phone")

    // 8. a customized button, set then deleted
    await page.getByTestId("set-button").click()
    await expect.poll(() => page.getByTestId("button-state").textContent()).toContain("online-call button")
    expect(sim!.post(token)!.customized_button).toMatchObject({
      type: "ONLINE_CALL",
      action: { open_direct_link: "https://example.com/call" }
    })
    await page.getByTestId("delete-button").click()
    await expect.poll(() => page.getByTestId("button-state").textContent()).toContain("deleted")
    expect(sim!.post(token)!.customized_button).toBeUndefined()

    // 9. delete the post, then read it again: NotFoundError, gRPC code 5
    await page.getByTestId("delete-post").click()
    await page.getByTestId("deleted").waitFor()
    expect(sim!.post(token)!.state).toBe("POST_STATE_DELETED")
    await page.getByTestId("read-again").click()
    const again = page.getByTestId("read-again-result")
    await expect.poll(() => again.getByTestId("error-tag").textContent()).toBe("NotFoundError")
    expect(await again.getByTestId("error-code").textContent()).toBe("code 5")
    await top(step("delete"))
    await shot(page, "09-deleted-phone")

    // the call log saw every operation of the story
    const log = await page.getByTestId("call").allTextContents()
    for (const operation of [
      "canUserSubmitPost",
      "uploadImage",
      "submitUserPost",
      "getUserPost",
      "editPostV2",
      "getPostStats",
      "setPostCustomizedButton",
      "deletePostCustomizedButton",
      "deleteUserPost"
    ]) {
      expect(log.some((line) => line.includes(operation))).toBe(true)
    }
    await top(page.getByTestId("call-log"))
    await shot(page, "10-call-log-phone")
    await page.context().close()
  }, 90_000)

  it("shows retries and typed errors when the fault panel injects faults", async () => {
    const { sim, demo } = playground
    const page = await open(DESKTOP, "#/op/getUserPost")
    // a session of its own: sign in with auto-approval (no consent page this time)
    sim!.oauth.autoApprove = true
    await page.goto(
      `${playground.url}api/kenar/oauth/start?return_to=${encodeURIComponent("/#/op/getUserPost")}`
    )
    await expect.poll(() => page.getByTestId("session").textContent()).toContain("signed in")
    sim!.oauth.autoApprove = false
    const screen = page.getByTestId("screen-getUserPost")
    expect(await screen.getByTestId("field-token").inputValue()).toBe(demo!.posts[0])

    // 503 twice, then success: 3 attempts
    await page.getByTestId("fault-operation").selectOption("getUserPost")
    await page.getByTestId("fault-503x2").click()
    await expect.poll(() => page.getByTestId("active-faults").textContent()).toContain("status · 503")
    sim!.clearRequests()
    await screen.getByTestId("run").click()
    await expect.poll(() => screen.getByTestId("attempts").textContent()).toBe("3 attempts")
    expect(await screen.getByTestId("call-stats").textContent()).toContain("HTTP 200")
    await screen.getByTestId("post-card").waitFor()
    const calls = sim!.requests().filter((entry) => entry.operation === "getUserPost")
    expect(calls.map((entry) => [entry.operation, entry.status])).toEqual([
      ["getUserPost", 503],
      ["getUserPost", 503],
      ["getUserPost", 200]
    ])
    expect((await page.getByTestId("call").first().textContent())!).toContain("3 att.")
    await expect.poll(() => page.getByTestId("active-faults").textContent()).toContain("no active fault")
    await shot(page, "11-retried-503", { fullPage: true })

    // a persistent 404: NotFoundError with gRPC code 5, not retried
    await page.getByTestId("fault-404").click()
    await expect.poll(() => page.getByTestId("active-faults").textContent()).toContain("status · 404")
    await screen.getByTestId("run").click()
    await expect.poll(() => screen.getByTestId("error-tag").textContent()).toBe("NotFoundError")
    expect(await screen.getByTestId("error-code").textContent()).toBe("code 5")
    expect(await screen.getByTestId("attempts").textContent()).toBe("1 attempt")
    await shot(page, "12-not-found", { fullPage: true })
    await page.getByTestId("clear-faults").click()
    await expect.poll(() => page.getByTestId("active-faults").textContent()).toContain("no active fault")
    expect(sim!.faults.active()).toEqual([])

    // validation before I/O: the SDK's issues next to the field, nothing sent
    await page.goto(`${playground.url}#/op/editPost`)
    const edit = page.getByTestId("screen-editPost")
    await edit.getByTestId("field-title").fill("ab")
    sim!.clearRequests()
    await edit.getByTestId("run").click()
    await expect.poll(() => edit.getByTestId("error-tag").textContent()).toBe("ValidationError")
    expect(await edit.getByTestId("issues-title").textContent()).toContain("3 to 50 characters")
    expect(await edit.getByTestId("attempts").textContent()).toBe("0 attempts")
    expect(sim!.requests()).toEqual([])
    await shot(page, "13-validation", { fullPage: true })
    await page.context().close()
  }, 60_000)
})
