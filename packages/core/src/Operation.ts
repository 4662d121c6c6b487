/**
 * The description of one Kenar operation, as data. Each of the Post
 * operations is described exactly once (in `Posts`); the Effect function, the
 * Promise method, the React options, the simulator's route, the README table
 * and the conformance test against the official spec all read it.
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"
import type { CommonError, SpecificError, SpecificErrorTag } from "./KenarError.js"

/**
 * Whether an operation may be sent again after a failure.
 *
 * - `"idempotent"`: repeating it has the same effect as sending it once;
 *   retried on 429 (not the daily quota), 502/503/504, UNAVAILABLE and
 *   transport failures.
 * - `"create"`: it creates something (a post, paid for); retried only when
 *   the request provably did not reach Kenar, or was rejected with a 429.
 *
 * @since 0.1.0
 * @category models
 */
export type RetrySafety = "idempotent" | "create"

/**
 * The OAuth scopes an operation needs besides the API key: any one of the
 * listed scopes suffices. A `{param}` part is replaced by that path
 * parameter of the call (resource scopes such as `POST_EDIT.{post_token}`).
 *
 * @since 0.1.0
 * @category models
 */
export type ScopeRequirement = ReadonlyArray<string>

/**
 * The schema of an operation's path parameters.
 *
 * @since 0.1.0
 * @category models
 */
export type ParamsSchema = Schema.Struct<Record<string, Schema.Codec<string, string>>>

/**
 * The description of one Kenar operation.
 *
 * @since 0.1.0
 * @category models
 */
export interface Definition<
  Name extends string = string,
  Params extends ParamsSchema = ParamsSchema,
  Body extends Schema.Top | undefined = Schema.Top | undefined,
  Output extends Schema.Top = Schema.Top,
  Specific extends SpecificErrorTag = SpecificErrorTag
> {
  /** The SDK name, camelCase: `getUserPost`. */
  readonly name: Name
  /** The spec's `operationId`: `Post_GetUserPost`. */
  readonly operationId: string
  /** The official JavaScript client's method: `postGetUserPost`. */
  readonly officialName: string
  /** One line on what the operation does. */
  readonly summary: string
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  /** The route template, e.g. `/v1/open-platform/user-post/{token}`. */
  readonly path: string
  /** Path parameters, validated as tokens and escaped into the path. */
  readonly params: Params
  /** The JSON body, or `undefined` for operations without one. */
  readonly body: Body
  /** The success answer. */
  readonly output: Output
  /** The API key permission Kenar checks (from the official docs). */
  readonly permission: string
  /** OAuth scopes (any one of them), or `undefined` when only the API key is needed. */
  readonly scopes: ScopeRequirement | undefined
  readonly retry: RetrySafety
  /**
   * The answer that, to a retry after an earlier attempt may have reached
   * Kenar, means that attempt did the work: ALREADY_EXISTS for a create,
   * NOT_FOUND for a delete. The retry then counts as success.
   */
  readonly doneOnRetry: "AlreadyExistsError" | "NotFoundError" | undefined
  readonly deprecated: boolean
  /** The errors specific to this operation (see `KenarError.SpecificError`). */
  readonly errors: ReadonlyArray<Specific>
}

/**
 * Any operation definition.
 *
 * @since 0.1.0
 * @category models
 */
export interface Any
  extends Definition<string, ParamsSchema, Schema.Top | undefined, Schema.Top, SpecificErrorTag> {}

type Simplify<A> = { [K in keyof A]: A[K] } & {}

/**
 * What the caller passes: the path parameters and the body's fields, flat.
 *
 * @since 0.1.0
 * @category models
 */
export type Input<D extends Any> = D["body"] extends Schema.Top
  ? Simplify<D["params"]["Type"] & D["body"]["Type"]>
  : Simplify<D["params"]["Type"]>

/**
 * The decoded success answer.
 *
 * @since 0.1.0
 * @category models
 */
export type Output<D extends Any> = D["output"]["Type"]

/**
 * The errors an operation can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type Error<D extends Any> =
  | CommonError
  | Extract<SpecificError, { readonly _tag: D["errors"][number] }>

/**
 * Whether the operation takes no input at all.
 *
 * @since 0.1.0
 * @category models
 */
export type HasNoInput<D extends Any> = keyof Input<D> extends never ? true : false

/**
 * Describes an operation; returns the definition unchanged, with its types
 * inferred.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <
  const Name extends string,
  Params extends ParamsSchema,
  Body extends Schema.Top | undefined,
  Output extends Schema.Top,
  const Specific extends SpecificErrorTag = never
>(
  definition: Omit<
    Definition<Name, Params, Body, Output, Specific>,
    "doneOnRetry" | "deprecated" | "errors"
  > & {
    readonly doneOnRetry?: "AlreadyExistsError" | "NotFoundError" | undefined
    readonly deprecated?: boolean
    readonly errors?: ReadonlyArray<Specific>
  }
): Definition<Name, Params, Body, Output, Specific> => ({
  ...definition,
  doneOnRetry: definition.doneOnRetry,
  deprecated: definition.deprecated ?? false,
  errors: definition.errors ?? []
})

const isTemplate = (scope: string): boolean => scope.includes("{")

/**
 * The scopes a call needs, with resource parameters filled in from its input
 * (any one of them suffices), or `undefined` when only the API key is needed.
 *
 * @since 0.1.0
 * @category utils
 */
export const scopesFor = (
  definition: Any,
  input: Readonly<Record<string, unknown>>
): ReadonlyArray<string> | undefined => {
  const scopes = definition.scopes
  // most scopes name no resource: the same array serves every call
  if (scopes === undefined || !scopes.some(isTemplate)) return scopes
  return scopes.map((scope) => scope.replace(/\{(\w+)\}/g, (_, name: string) => String(input[name] ?? "")))
}

/**
 * The names of the path parameters, in the order they appear in the route.
 *
 * @since 0.1.0
 * @category utils
 */
export const pathParamNames = (definition: Any): ReadonlyArray<string> =>
  Array.from(definition.path.matchAll(/\{(\w+)\}/g), (match) => match[1]!)

/**
 * The request path for a call: the route with each parameter escaped.
 *
 * @since 0.1.0
 * @category utils
 */
export const pathFor = (definition: Any, params: Readonly<Record<string, unknown>>): string => {
  const parts = routeParts(definition.path)
  let path = parts[0]!
  for (let i = 1; i < parts.length; i += 2) {
    path += encodeURIComponent(String(params[parts[i]!])) + parts[i + 1]!
  }
  return path
}

const routes = new Map<string, ReadonlyArray<string>>()

/** A route split into literal text and parameter names, alternating: `[text, name, text, ...]`. */
const routeParts = (route: string): ReadonlyArray<string> => {
  let parts = routes.get(route)
  if (parts === undefined) {
    parts = route.split(/\{(\w+)\}/)
    routes.set(route, parts)
  }
  return parts
}
