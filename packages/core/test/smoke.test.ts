import { createServer } from "node:http"
import { Effect, Layer } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import { expect, test } from "vitest"
import { KenarAuth, KenarClient, KenarPromiseClient, Posts } from "../src/index.js"

test("smoke", async () => {
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/v1/open-platform/user-post/")) {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ general_data: { title: "hi" }, state: "POST_STATE_NEW_THING", extra: 1 }))
    } else {
      res.writeHead(404, { "content-type": "application/json" })
      res.end(JSON.stringify({ code: 5, message: "not found", details: [] }))
    }
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as any).port
  const layer = KenarClient.layer({ baseUrl: `http://127.0.0.1:${port}` }).pipe(
    Layer.provide(KenarAuth.layer({ apiKey: "k", accessToken: "t" })),
    Layer.provide(FetchHttpClient.layer)
  )
  const r = await Effect.runPromise(Posts.getUserPost({ token: "abc" }).pipe(Effect.provide(layer)))
  console.log(r)
  const e = await Effect.runPromise(Effect.flip(Posts.getPostStats({ post_token: "abc" })).pipe(Effect.provide(layer)))
  console.log(e._tag, e.message, String(e))
  const v = await Effect.runPromise(Effect.flip(Posts.editPost({ post_token: "a/b", title: "x", description: "" })).pipe(Effect.provide(layer)))
  console.log(v)
  const c = KenarPromiseClient.make(layer)
  await expect(c.getUserPost({ token: "" })).rejects.toMatchObject({ _tag: "ValidationError" })
  console.log(await c.getUserPost({ token: "abc" }))
  await c.dispose()
  server.close()
})
