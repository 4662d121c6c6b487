/**
 * `pnpm tour`: starts the Kenar simulator with demo data on 127.0.0.1, then
 * walks through all 14 Post operations with the SDK's Promise client (the
 * same calls work against the real Kenar with KENAR_API_KEY and a user
 * token). The simulator keeps running for you to explore; Ctrl-C stops it.
 * `--once` exits after the tour (used by the tests).
 */
import { KenarError, PostEdit } from "@kenar/core"
import { NodeKenarClient } from "@kenar/node"
import { KenarSimulator, NodeSimulatorServer } from "@kenar/testing"

const once = process.argv.includes("--once")
const port = Number(process.env.KENAR_SIMULATOR_PORT ?? 0)

const sim = KenarSimulator.make()
const demo = KenarSimulator.seedDemo(sim)
const server = await NodeSimulatorServer.listen(sim, { port })

console.log(`Kenar simulator on ${server.url}`)
console.log(`  API key:      ${demo.apiKey}`)
console.log(`  Access token: ${demo.accessToken}`)
console.log(`  Business:     ${demo.business}`)
console.log("")

const kenar = NodeKenarClient.makePromise({
  baseUrl: server.url,
  apiKey: demo.apiKey,
  accessToken: demo.accessToken
})

let step = 0
const show = async <A>(operation: string, call: () => Promise<A>): Promise<A> => {
  step += 1
  const started = performance.now()
  try {
    const result = await call()
    const ms = (performance.now() - started).toFixed(1)
    console.log(`${String(step).padStart(2)}. ${operation} (${ms} ms)\n    ${JSON.stringify(result)}`)
    return result
  } catch (error) {
    if (KenarError.isKenarError(error)) {
      console.log(`${String(step).padStart(2)}. ${operation}: ${error._tag}: ${error.message}`)
    }
    throw error
  }
}

const generalData = {
  category_slug: "apartment-sell",
  title: "آپارتمان ۷۵ متری، نورگیر",
  description: "دو خواب، طبقه سوم، بازسازی شده.",
  images: [] as Array<string>,
  city: "tehran",
  district: "abshar",
  location_type: "LOCATION_TYPE_APPROXIMATE",
  hide_phone: true,
  chat_enabled: true
} as const

try {
  await show("canUserSubmitPost", () => kenar.canUserSubmitPost())
  await show("getUploadUrls", () => kenar.getUploadUrls())
  await show("getImageUploadUrl (deprecated v1)", () => kenar.getImageUploadUrl())
  const mine = await show("submitUserPost", () =>
    kenar.submitUserPost({
      business_token: demo.business,
      general_data: generalData,
      category_fields: { size: 75, rooms: "دو" }
    })
  )
  const provider = await show("submitPostV2", () =>
    kenar.submitPostV2({
      business_token: demo.business,
      general_data: { ...generalData, title: "آپارتمان ۹۰ متری، مشاعات نوساز" },
      category_fields: { size: 90, rooms: "دو" },
      landline_numbers: ["02188888888"]
    })
  )
  await show("getUserPost", () => kenar.getUserPost({ token: mine.post_token }))
  await show("editPostV2", () =>
    kenar.editPostV2({
      post_token: mine.post_token,
      ...PostEdit.make({
        general_data: { title: "آپارتمان ۷۵ متری، قیمت توافقی", district: PostEdit.clear },
        category_data: { size: 76 }
      })
    })
  )
  const seeded = demo.posts[0]!
  await show("editPost (deprecated v1)", () =>
    kenar.editPost({
      post_token: seeded,
      title: "آپارتمان ۸۵ متری نوساز",
      description: "دو خواب، آسانسور، پارکینگ."
    })
  )
  await show("getPostStats", () => kenar.getPostStats({ post_token: seeded }))
  const button = { type: "ONLINE_CALL", action: { open_direct_link: "https://example.com/call" } } as const
  await show("setPostCustomizedButton", () =>
    kenar.setPostCustomizedButton({ post_token: seeded, customized_button: button })
  )
  await show("deletePostCustomizedButton", () => kenar.deletePostCustomizedButton({ post_token: seeded }))
  await show("createBusinessCustomizedButton", () =>
    kenar.createBusinessCustomizedButton({ business_token: demo.business, customized_button: button })
  )
  await show("deleteBusinessCustomizedButton", () =>
    kenar.deleteBusinessCustomizedButton({ business_token: demo.business })
  )
  await show("deleteUserPost", () => kenar.deleteUserPost({ post_token: provider.post_token }))

  // and one typed error: the post was deleted
  const gone = await kenar.getUserPost({ token: provider.post_token }).catch((error: unknown) => error)
  if (gone instanceof KenarError.NotFoundError) {
    console.log(
      `\nAs expected, reading the deleted post fails with ${gone._tag} (gRPC ${gone.status}): ${gone.message}`
    )
  }
  console.log(`\nAll 14 Post operations ran against the simulator (${sim.requests().length} requests).`)
} finally {
  await kenar.dispose()
}

if (once) {
  await server.close()
} else {
  console.log(`\nThe simulator keeps running on ${server.url} (Ctrl-C to stop).`)
  const stop = () => void server.close().then(() => process.exit(0))
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}
