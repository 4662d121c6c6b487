/**
 * `queryOptions` and `mutationOptions` for every Post operation, built over
 * a Promise client, for TanStack Query's own hooks and `QueryClient`. No
 * React here: the same factories serve components (through
 * `KenarProvider`), server components and route loaders (prefetching).
 *
 * ```ts
 * import { useMutation, useQuery } from "@tanstack/react-query"
 * import { useKenar } from "@kenar/react"
 *
 * const kenar = useKenar()
 * const post = useQuery(kenar.getUserPost.queryOptions({ token }))
 * const edit = useMutation(kenar.editPostV2.mutationOptions({ onSuccess: () => toast("saved") }))
 * edit.mutate({ post_token: token, ...PostEdit.make({ general_data: { title } }) })
 * ```
 *
 * On a server (a server component, a route loader), with `@kenar/node`:
 *
 * ```ts
 * import { createKenarQueries } from "@kenar/react/server"
 *
 * const kenar = createKenarQueries(NodeKenarClient.makePromise({ accessToken }))
 * await queryClient.prefetchQuery(kenar.getUserPost.queryOptions({ token }))
 * ```
 *
 * What the options do:
 *
 * - `queryFn` passes TanStack's `signal` to the call: cancelling the query
 *   (unmount, `cancelQueries`) interrupts the Effect and aborts the request.
 * - `retry: false`: the SDK already retries what is safe to retry, per
 *   operation; TanStack retrying on top would multiply the attempts. Pass
 *   `retry` to override, or `call: { retry }` to tune the SDK's policy.
 * - `call`: per-call SDK options (`timeout`, `retry`, `accessToken`).
 * - Mutations refresh exactly the queries they change (see `kenarKeys`);
 *   the edits update the cached post optimistically and roll back on error.
 *   Your own `onMutate`/`onSuccess`/`onError`/`onSettled` run as well.
 *
 * @since 0.1.0
 */
import type { KenarClient, KenarConfig } from "@kenar/core"
// core's modules by path, not through its index: a bundler (esbuild in particular)
// keeps every member of a namespace imported through an index
import * as KenarPromiseClient from "@kenar/core/KenarPromiseClient"
import * as Posts from "@kenar/core/Posts"
import * as Uploads from "@kenar/core/Uploads"
import {
  type QueryClient,
  type QueryKeyWithDataTag,
  type SkipToken,
  skipToken,
  type UndefinedInitialDataOptions,
  type UnusedSkipTokenOptions,
  type UseMutationOptions,
  type UseQueryOptions,
  type UseSuspenseQueryOptions
} from "@tanstack/react-query"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import {
  applySuccess,
  applyUncertain,
  hasNoInput,
  mayHaveChanged,
  mutationNames,
  queryDefaults,
  queryKeyOf,
  queryNames,
  type Targets,
  targetsOf
} from "./internal/operations.js"
import { applyEdit, applyEditV2, optimistic } from "./internal/optimistic.js"
import { uploadMutationOptions } from "./internal/uploads.js"
import type {
  DefinitionOf,
  HasNoInput,
  MutationName,
  OperationData,
  OperationError,
  OperationInput,
  QueryName,
  UploadData,
  UploadError,
  UploadName
} from "./KenarOperation.js"
import { kenarKeys, type MutationKeyOf, type QueryKeyOf, type QueryKeys } from "./KenarQueryKeys.js"

// -----------------------------------------------------------------------------
// queries
// -----------------------------------------------------------------------------

/**
 * Per-call SDK options: timeout and retry policy of each attempt, and the
 * access token of this call. The `AbortSignal` is TanStack's.
 *
 * @since 0.1.0
 * @category models
 */
export type CallOptions = KenarConfig.CallOptions

/**
 * What a query factory or hook takes besides the input: TanStack's query
 * options (but the key and the query function), and `call`.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryOverrides<K extends QueryName, TData = OperationData<K>> = Omit<
  UseQueryOptions<OperationData<K>, OperationError<K>, TData, QueryKeys[K]>,
  "queryKey" | "queryFn"
> & {
  /** Per-call SDK options. */
  readonly call?: CallOptions | undefined
}

/**
 * Like {@link QueryOverrides}, for the Suspense hooks.
 *
 * @since 0.1.0
 * @category models
 */
export type SuspenseQueryOverrides<K extends QueryName, TData = OperationData<K>> = Omit<
  UseSuspenseQueryOptions<OperationData<K>, OperationError<K>, TData, QueryKeys[K]>,
  "queryKey" | "queryFn"
> & {
  /** Per-call SDK options. */
  readonly call?: CallOptions | undefined
}

/**
 * The arguments of a query factory: the input (none for operations without
 * one), then the options.
 *
 * @since 0.1.0
 * @category models
 */
export type QueryArgs<K extends QueryName, TData, Overrides = QueryOverrides<K, TData>> =
  HasNoInput<K> extends true ? [overrides?: Overrides] : [input: OperationInput<K>, overrides?: Overrides]

/**
 * The arguments of a query factory with the input possibly `skipToken`
 * (the query is disabled until there is an input).
 *
 * @since 0.1.0
 * @category models
 */
export type SkippableQueryArgs<K extends QueryName, TData> =
  HasNoInput<K> extends true
    ? [overrides?: QueryOverrides<K, TData>]
    : [input: OperationInput<K> | SkipToken, overrides?: QueryOverrides<K, TData>]

/**
 * The options a query factory builds: what TanStack's `queryOptions`
 * returns, for `useQuery`, `useSuspenseQuery`, `useQueries`,
 * `prefetchQuery`, `ensureQueryData`, `fetchQuery`.
 *
 * @since 0.1.0
 * @category models
 */
export type KenarQueryOptions<K extends QueryName, TData = OperationData<K>> = UnusedSkipTokenOptions<
  OperationData<K>,
  OperationError<K>,
  TData,
  QueryKeys[K]
> &
  QueryKeyWithDataTag<QueryKeys[K], OperationData<K>, OperationError<K>> & {
    readonly queryKey: QueryKeyOf<K>
  }

/**
 * The options of a query whose input may be `skipToken` (for `useQuery`).
 *
 * @since 0.1.0
 * @category models
 */
export type SkippableKenarQueryOptions<
  K extends QueryName,
  TData = OperationData<K>
> = UndefinedInitialDataOptions<OperationData<K>, OperationError<K>, TData, QueryKeys[K]> &
  QueryKeyWithDataTag<QueryKeys[K], OperationData<K>, OperationError<K>> & {
    readonly queryKey: QueryKeyOf<K>
  }

/**
 * The factories of one read operation.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryFactory<K extends QueryName> {
  readonly definition: DefinitionOf<K>
  /** The query's key (for `getQueryData`, `setQueryData`, `invalidateQueries`). */
  readonly queryKey: (...args: HasNoInput<K> extends true ? [] : [input: OperationInput<K>]) => QueryKeyOf<K>
  /** The query's options. */
  readonly queryOptions: {
    <TData = OperationData<K>>(...args: QueryArgs<K, TData>): KenarQueryOptions<K, TData>
    <TData = OperationData<K>>(...args: SkippableQueryArgs<K, TData>): SkippableKenarQueryOptions<K, TData>
  }
}

// -----------------------------------------------------------------------------
// mutations
// -----------------------------------------------------------------------------

/**
 * What a mutation factory or hook takes: TanStack's mutation options (but
 * the key and the mutation function), and `call`. Your callbacks run after
 * the SDK's own (cache updates), and get your own `onMutate` result.
 *
 * @since 0.1.0
 * @category models
 */
export type MutationOverrides<K extends MutationName, TOnMutateResult = unknown> = Omit<
  UseMutationOptions<OperationData<K>, OperationError<K>, OperationInput<K>, TOnMutateResult>,
  "mutationFn" | "mutationKey"
> & {
  /** Per-call SDK options. */
  readonly call?: CallOptions | undefined
}

/**
 * The options a mutation factory builds, for `useMutation`.
 *
 * @since 0.1.0
 * @category models
 */
export type KenarMutationOptions<K extends MutationName, TOnMutateResult = unknown> = UseMutationOptions<
  OperationData<K>,
  OperationError<K>,
  OperationInput<K>,
  TOnMutateResult
> & { readonly mutationKey: MutationKeyOf<K> }

/**
 * The factories of one write operation.
 *
 * @since 0.1.0
 * @category models
 */
export interface MutationFactory<K extends MutationName> {
  readonly definition: DefinitionOf<K>
  /** The mutation's key (for `useMutationState`, `useIsMutating`). */
  readonly mutationKey: () => MutationKeyOf<K>
  /** The mutation's options. */
  readonly mutationOptions: <TOnMutateResult = unknown>(
    overrides?: MutationOverrides<K, TOnMutateResult>
  ) => KenarMutationOptions<K, TOnMutateResult>
}

// -----------------------------------------------------------------------------
// uploads
// -----------------------------------------------------------------------------

/**
 * One upload with its own options (content type, size, upload URLs of the
 * batch), for `mutate`. A bare input (`File`, `Blob`, bytes, stream) works too.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadRequest extends Omit<Uploads.UploadV2Options, "onProgress"> {
  readonly input: Uploads.UploadInput
}

/**
 * The `variables` of an upload mutation.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadVariables = Uploads.UploadInput | UploadRequest

/**
 * What an upload factory or hook takes: TanStack's mutation options, upload
 * options for every upload, and a progress callback.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadOverrides<K extends UploadName, TOnMutateResult = unknown> = Omit<
  UseMutationOptions<UploadData<K>, UploadError, UploadVariables, TOnMutateResult>,
  "mutationFn" | "mutationKey"
> & {
  /** Options of every upload (a request's own options win). */
  readonly upload?: Omit<Uploads.UploadV2Options, "onProgress"> | undefined
  /** Called as bytes are sent. */
  readonly onProgress?: ((progress: Uploads.Progress, variables: UploadVariables) => void) | undefined
}

/**
 * The options an upload factory builds, for `useMutation`.
 *
 * @since 0.1.0
 * @category models
 */
export type KenarUploadOptions<K extends UploadName, TOnMutateResult = unknown> = UseMutationOptions<
  UploadData<K>,
  UploadError,
  UploadVariables,
  TOnMutateResult
> & { readonly mutationKey: MutationKeyOf<K> }

/**
 * The factories of one upload.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadFactory<K extends UploadName> {
  readonly mutationKey: () => MutationKeyOf<K>
  /** The upload's options; throws a `TypeError` when the client has no uploads. */
  readonly mutationOptions: <TOnMutateResult = unknown>(
    overrides?: UploadOverrides<K, TOnMutateResult>
  ) => KenarUploadOptions<K, TOnMutateResult>
}

// -----------------------------------------------------------------------------
// the factory
// -----------------------------------------------------------------------------

/**
 * Query and mutation factories for every Post operation, and both uploads.
 *
 * @since 0.1.0
 * @category models
 */
export type KenarQueries = { readonly [K in QueryName]: QueryFactory<K> } & {
  readonly [K in MutationName]: MutationFactory<K>
} & { readonly [K in UploadName]: UploadFactory<K> } & {
  /** The Promise client the factories call. */
  readonly client: KenarPromiseClient.KenarPromiseClient
  /** The uploads the upload factories call, if any. */
  readonly uploads: Uploads.PromiseUploads | undefined
}

/**
 * Factories built from a layer: they own their clients; `dispose` releases
 * them (and interrupts calls still running).
 *
 * @since 0.1.0
 * @category models
 */
export type OwnedKenarQueries = KenarQueries & {
  readonly dispose: () => Promise<void>
}

/**
 * Options of {@link createKenarQueries} over a Promise client.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateOptions {
  /**
   * Uploads for `uploadImage`/`uploadVideo` (e.g. `Uploads.makePromise(layer)`);
   * over a layer, the default is core's uploads over that layer.
   */
  readonly uploads?: Uploads.PromiseUploads | undefined
}

const makeQuery = <K extends QueryName>(client: KenarPromiseClient.KenarPromiseClient, name: K) => {
  const definition = Posts.all[name].definition
  const noInput = hasNoInput(definition)
  const keyOf = queryKeyOf[name] as (input: unknown) => QueryKeyOf<K>
  const call = client[name] as (
    input: unknown,
    options: KenarPromiseClient.PromiseCallOptions
  ) => Promise<unknown>
  return {
    definition,
    queryKey: (input?: unknown) => keyOf(input),
    queryOptions: (...args: ReadonlyArray<any>) => {
      const [input, overrides] = noInput ? [undefined, args[0]] : [args[0], args[1]]
      const { call: callOptions, ...rest } = (overrides ?? {}) as QueryOverrides<K>
      const skip = input === skipToken
      return {
        ...queryDefaults[name],
        retry: false,
        ...rest,
        queryKey: keyOf(skip ? undefined : input),
        queryFn: skip
          ? skipToken
          : ({ signal }: { readonly signal: AbortSignal }) => call(input ?? {}, { ...callOptions, signal })
      }
    }
  } as unknown as QueryFactory<K>
}

/** The SDK's own part of each mutation: cache updates before, after success, after failure. */
interface MutationEffects<K extends MutationName> {
  readonly before: (client: QueryClient, input: OperationInput<K>) => Promise<void> | void
  readonly success: (client: QueryClient, input: OperationInput<K>) => Promise<void>
  readonly failure: (client: QueryClient, input: OperationInput<K>, error: unknown) => Promise<void>
}

const effectsOf = <K extends MutationName>(name: K): MutationEffects<K> => {
  const targets = targetsOf[name] as unknown as (input: OperationInput<K>) => Targets
  const edit =
    name === "editPostV2"
      ? optimistic(applyEditV2 as any)
      : name === "editPost"
        ? optimistic(applyEdit as any)
        : undefined
  return {
    before: (client, input) => edit?.apply(client, input as any),
    success: (client, input) => {
      edit?.commit(input as any)
      return applySuccess(client, targets(input))
    },
    failure: async (client, input, error) => {
      edit?.rollback(client, input as any)
      if (mayHaveChanged(error)) await applyUncertain(client, targets(input))
    }
  }
}

const makeMutation = <K extends MutationName>(client: KenarPromiseClient.KenarPromiseClient, name: K) => {
  const definition = Posts.all[name].definition
  const call = client[name] as (
    input: unknown,
    options?: KenarPromiseClient.PromiseCallOptions
  ) => Promise<unknown>
  const effects = effectsOf(name)
  const mutationKey = () => kenarKeys.mutation(name)
  return {
    definition,
    mutationKey,
    mutationOptions: (overrides: MutationOverrides<K, unknown> = {}) => {
      const { call: callOptions, onMutate, onSuccess, onError, ...rest } = overrides
      const options: UseMutationOptions<any, any, any, any> = {
        retry: false,
        ...rest,
        mutationKey: mutationKey(),
        mutationFn: (input) => call(input, callOptions),
        onMutate: async (input, context) => {
          await effects.before(context.client, input)
          return onMutate?.(input, context)
        },
        onSuccess: async (data, input, result, context) => {
          await Promise.all([
            effects.success(context.client, input),
            onSuccess?.(data, input, result, context)
          ])
        },
        onError: async (error, input, result, context) => {
          await Promise.all([
            effects.failure(context.client, input, error),
            onError?.(error, input, result, context)
          ])
        }
      }
      return options
    }
  } as unknown as MutationFactory<K>
}

const makeUpload = <K extends UploadName>(uploads: Uploads.PromiseUploads | undefined, name: K) => ({
  mutationKey: () => kenarKeys.mutation(name),
  mutationOptions: (overrides?: UploadOverrides<K, unknown>) =>
    uploadMutationOptions(uploads, name, overrides)
})

const build = (
  client: KenarPromiseClient.KenarPromiseClient,
  uploads: Uploads.PromiseUploads | undefined
): KenarQueries => {
  const factories: Record<string, unknown> = { client, uploads }
  for (const name of queryNames) factories[name] = makeQuery(client, name)
  for (const name of mutationNames) factories[name] = makeMutation(client, name)
  factories.uploadImage = makeUpload(uploads, "uploadImage")
  factories.uploadVideo = makeUpload(uploads, "uploadVideo")
  return factories as KenarQueries
}

/**
 * A Promise client and uploads over one layer, built once and shared.
 */
const fromLayer = <E>(
  layer: Layer.Layer<KenarClient.KenarClient, E>,
  given: Uploads.PromiseUploads | undefined
): OwnedKenarQueries => {
  const runtime = ManagedRuntime.make(layer)
  const shared = Layer.effectContext(runtime.contextEffect)
  const client = KenarPromiseClient.make(shared)
  const uploads = given ?? Uploads.makePromise(shared)
  return Object.assign(build(client, uploads), {
    dispose: async () => {
      await Promise.all([client.dispose(), given === undefined ? uploads.dispose() : undefined])
      await runtime.dispose()
    }
  })
}

/**
 * Builds the query and mutation factories of every Post operation.
 *
 * - Over a layer providing `KenarClient` (e.g. `NodeKenarClient.layer()`, a
 *   browser layer, or `KenarClient.layer()` over the simulator): the
 *   factories own a Promise client and uploads built from it (unless you
 *   give `uploads`, which stay yours), and `dispose()` releases them.
 * - Over a Promise client you own (e.g. `NodeKenarClient.makePromise()`),
 *   with `uploads` if you upload: nothing is disposed for you.
 *
 * ```ts
 * const kenar = createKenarQueries(NodeKenarClient.makePromise({ accessToken }))
 * await queryClient.prefetchQuery(kenar.getUserPost.queryOptions({ token }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function createKenarQueries<E>(
  layer: Layer.Layer<KenarClient.KenarClient, E>,
  options?: CreateOptions
): OwnedKenarQueries
export function createKenarQueries(
  client: KenarPromiseClient.KenarPromiseClient,
  options?: CreateOptions
): KenarQueries
export function createKenarQueries(
  source: Layer.Layer<KenarClient.KenarClient, unknown> | KenarPromiseClient.KenarPromiseClient,
  options: CreateOptions = {}
): KenarQueries {
  return Layer.isLayer(source)
    ? fromLayer(source as Layer.Layer<KenarClient.KenarClient, unknown>, options.uploads)
    : build(source as KenarPromiseClient.KenarPromiseClient, options.uploads)
}
