/**
 * The vocabulary of the React bindings: which Post operations are queries,
 * which are mutations, and the data, error and input types of each, all
 * derived from the one definition of each operation in `@kenar/core`.
 *
 * @since 0.1.0
 */
import type { KenarError, Operation, Posts, Uploads } from "@kenar/core"

/**
 * The SDK name of any Post operation.
 *
 * @since 0.1.0
 * @category models
 */
export type OperationName = keyof Posts.All

/**
 * The read operations (`GET`): each one is a query.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryName =
  | "canUserSubmitPost"
  | "getImageUploadUrl"
  | "getPostStats"
  | "getUploadUrls"
  | "getUserPost"

/**
 * The write operations: each one is a mutation.
 *
 * @since 0.1.0
 * @category models
 */
export type MutationName = Exclude<OperationName, QueryName>

/**
 * The uploads, mutations with progress.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadName = "uploadImage" | "uploadVideo"

/**
 * The definition of an operation.
 *
 * @since 0.1.0
 * @category models
 */
export type DefinitionOf<K extends OperationName> = Posts.All[K]["definition"]

/**
 * What an operation answers (the `data` of its query or mutation).
 *
 * @since 0.1.0
 * @category models
 */
export type OperationData<K extends OperationName> = Operation.Output<DefinitionOf<K>>

/**
 * The errors an operation fails with (the `error` of its query or mutation).
 *
 * @since 0.1.0
 * @category models
 */
export type OperationError<K extends OperationName> = Operation.Error<DefinitionOf<K>>

/**
 * What an operation takes (a mutation's `variables`).
 *
 * @since 0.1.0
 * @category models
 */
export type OperationInput<K extends OperationName> = Operation.Input<DefinitionOf<K>>

/**
 * Whether an operation takes no input (its query factory takes only options).
 *
 * @since 0.1.0
 * @category models
 */
export type HasNoInput<K extends OperationName> = Operation.HasNoInput<DefinitionOf<K>>

/**
 * What an upload answers.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadData<K extends UploadName> = K extends "uploadImage"
  ? Uploads.ImageUpload
  : Uploads.VideoUpload

/**
 * The errors an upload fails with: those of core's uploads, and
 * `AbortedError` when it is cancelled.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadError = Uploads.UploadFailure | KenarError.AbortedError
