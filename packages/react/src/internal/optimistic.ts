/**
 * Optimistic updates of a cached post by the edit operations, rolled back
 * when the edit fails.
 */
import type { PostSchema } from "@kenar/core"
import type { QueryClient } from "@tanstack/react-query"
import type { OperationInput } from "../KenarOperation.js"
import { kenarKeys } from "../KenarQueryKeys.js"

type Post = PostSchema.GetUserPostResponse
type General = Post["general_data"]

/** What Kenar answers for a general field cleared by an edit (proto3 zero values). */
const cleared: { readonly [K in keyof General]?: General[K] } = {
  title: "",
  description: "",
  images: [],
  district: "",
  latitude: 0,
  longitude: 0,
  location_type: "LOCATION_TYPE_EMPTY",
  chat_enabled: false,
  hide_phone: false
}

/** The cached post after an EditPostV2: the fields named by the mask, set or cleared. */
export const applyEditV2 = (post: Post, input: OperationInput<"editPostV2">): Post => {
  const general: Record<string, unknown> = { ...post.general_data }
  const category: Record<string, unknown> = { ...post.category_data }
  const newGeneral = (input.general_data ?? {}) as Readonly<Record<string, unknown>>
  const newCategory = (input.category_data ?? {}) as Readonly<Record<string, unknown>>
  for (const path of input.update_mask) {
    const [group, field] = path.split(".") as [string, string]
    if (group === "general_data") {
      const value = newGeneral[field]
      if (value !== undefined) general[field] = value
      else if (field in cleared) general[field] = cleared[field as keyof General]
      else delete general[field]
    } else if (group === "category_data") {
      const value = newCategory[field]
      if (value !== undefined) category[field] = value
      else delete category[field]
    }
  }
  return { ...post, general_data: general as General, category_data: category }
}

/** The cached post after an EditPost (v1): title, description, and images when given. */
export const applyEdit = (post: Post, input: OperationInput<"editPost">): Post => ({
  ...post,
  general_data: {
    ...post.general_data,
    title: input.title,
    description: input.description,
    ...(input.image_paths !== undefined && input.image_paths.length > 0 ? { images: input.image_paths } : {})
  }
})

/**
 * Optimistic edits of one operation. The snapshot to roll back to is kept
 * per `variables` object (TanStack passes the same object to every callback
 * of one run), so the caller's own `onMutate` result stays theirs.
 */
export const optimistic = <I extends { readonly post_token: string }>(
  apply: (post: Post, input: I) => Post
) => {
  const snapshots = new WeakMap<object, Array<Post>>()
  const take = (input: I) => {
    const stack = snapshots.get(input)
    const previous = stack?.shift()
    if (stack !== undefined && stack.length === 0) snapshots.delete(input)
    return previous
  }
  return {
    /** Applies the edit to the cached post, if there is one; keeps the snapshot. */
    apply: async (client: QueryClient, input: I): Promise<void> => {
      const queryKey = kenarKeys.userPost(input.post_token)
      await client.cancelQueries({ queryKey })
      const previous = client.getQueryData(queryKey)
      if (previous === undefined) return
      snapshots.set(input, [...(snapshots.get(input) ?? []), previous])
      client.setQueryData(queryKey, apply(previous, input))
    },
    /** Puts the snapshot back. */
    rollback: (client: QueryClient, input: I): void => {
      const previous = take(input)
      if (previous !== undefined) client.setQueryData(kenarKeys.userPost(input.post_token), previous)
    },
    /** Forgets the snapshot (the edit succeeded). */
    commit: (input: I): void => {
      take(input)
    }
  }
}
