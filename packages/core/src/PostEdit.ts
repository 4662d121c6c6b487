/**
 * Partial edits for EditPostV2, with the `update_mask` derived from the
 * fields you set.
 *
 * ```ts
 * import { PostEdit, Posts } from "@kenar/core"
 *
 * // change the title, drop the video, set the category's price
 * Posts.editPostV2({
 *   post_token: "AaEB0vbO",
 *   ...PostEdit.make({
 *     general_data: { title: "آپارتمان ۸۰ متری", video: PostEdit.clear },
 *     category_data: { price: 12_000_000_000 }
 *   })
 * })
 * // update_mask: ["general_data.title", "general_data.video", "category_data.price"]
 * ```
 *
 * A field left `undefined` is not part of the edit; a field set to
 * {@link clear} is cleared (in the mask, absent from the body).
 *
 * @since 0.1.0
 */
import type { EditableGeneralField, EditPostV2Body, PostGeneralDataPatch } from "./PostSchema.js"

const ClearTypeId: unique symbol = Symbol.for("@kenar/core/PostEdit/clear")

/**
 * The marker that asks for a field to be cleared.
 *
 * @since 0.1.0
 * @category models
 */
export interface Clear {
  readonly [ClearTypeId]: typeof ClearTypeId
}

/**
 * Clears a field on purpose: `{ general_data: { video: PostEdit.clear } }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const clear: Clear = /* @__PURE__ */ Object.freeze({ [ClearTypeId]: ClearTypeId }) as Clear

/**
 * Whether a value is {@link clear}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isClear = (u: unknown): u is Clear => typeof u === "object" && u !== null && ClearTypeId in u

/**
 * The changes of an edit: general fields (only the editable ones) and
 * category fields, each a new value or {@link clear}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Changes {
  readonly general_data?: {
    readonly [K in EditableGeneralField]?: Exclude<PostGeneralDataPatch[K], undefined> | Clear | undefined
  }
  readonly category_data?: Readonly<Record<string, unknown>>
}

/**
 * Builds the body of an EditPostV2 call from the fields you set.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (changes: Changes): EditPostV2Body => {
  const update_mask: Array<string> = []
  const groups: Record<string, Record<string, unknown>> = {}
  for (const group of ["general_data", "category_data"] as const) {
    const fields = changes[group] as Readonly<Record<string, unknown>> | undefined
    for (const [key, value] of Object.entries(fields ?? {})) {
      if (value === undefined) continue
      update_mask.push(`${group}.${key}`)
      if (isClear(value)) continue
      groups[group] = { ...groups[group], [key]: value }
    }
  }
  return {
    update_mask,
    ...(groups.general_data === undefined
      ? {}
      : { general_data: groups.general_data as PostGeneralDataPatch }),
    ...(groups.category_data === undefined ? {} : { category_data: groups.category_data })
  }
}
