import { QueryClient } from "@tanstack/react-query"
import { describe, expect, it } from "vitest"
import { kenarKeys } from "../src/server.js"

describe("kenarKeys", () => {
  it("nests every key under its subtree", () => {
    expect(kenarKeys.all).toEqual(["kenar"])
    expect(kenarKeys.posts()).toEqual(["kenar", "posts"])
    expect(kenarKeys.post("AaEB0vbO")).toEqual(["kenar", "posts", "AaEB0vbO"])
    expect(kenarKeys.userPost("AaEB0vbO")).toEqual(["kenar", "posts", "AaEB0vbO", "data"])
    expect(kenarKeys.postStats("AaEB0vbO")).toEqual(["kenar", "posts", "AaEB0vbO", "stats"])
    expect(kenarKeys.businesses()).toEqual(["kenar", "businesses"])
    expect(kenarKeys.business("Biz1")).toEqual(["kenar", "businesses", "Biz1"])
    expect(kenarKeys.user()).toEqual(["kenar", "user"])
    expect(kenarKeys.canUserSubmitPost()).toEqual(["kenar", "user", "can-submit"])
    expect(kenarKeys.uploads()).toEqual(["kenar", "uploads"])
    expect(kenarKeys.uploadUrls()).toEqual(["kenar", "uploads", "urls"])
    expect(kenarKeys.imageUploadUrl()).toEqual(["kenar", "uploads", "image-url"])
    expect(kenarKeys.mutation("editPostV2")).toEqual(["kenar", "mutation", "editPostV2"])
  })

  it("a post's prefix matches its data and stats and nothing else", () => {
    const queryClient = new QueryClient()
    for (const key of [
      kenarKeys.userPost("A"),
      kenarKeys.postStats("A"),
      kenarKeys.userPost("B"),
      kenarKeys.canUserSubmitPost(),
      kenarKeys.uploadUrls()
    ]) {
      queryClient.setQueryData(key, {} as never)
    }
    const matching = (queryKey: ReadonlyArray<unknown>) =>
      queryClient
        .getQueryCache()
        .findAll({ queryKey })
        .map((query) => query.queryKey)
    expect(matching(kenarKeys.post("A"))).toEqual([kenarKeys.userPost("A"), kenarKeys.postStats("A")])
    expect(matching(kenarKeys.posts())).toHaveLength(3)
    expect(matching(kenarKeys.user())).toEqual([kenarKeys.canUserSubmitPost()])
    expect(matching(kenarKeys.all)).toHaveLength(5)
    queryClient.clear()
  })
})
