/**
 * Kenar's OAuth scopes: the plain scopes the Post operations need, builders
 * for resource scopes (`POST_EDIT.<post token>`), a parser, and
 * {@link forOperations}, which lists the scopes a set of operations needs,
 * read from each operation's definition.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { OAuthScope, Posts } from "@kenar/core"
 *
 * const scopes = OAuthScope.forOperations(
 *   [Posts.getUserPost, [Posts.editPost, { post_token: "gW4fL8Xq" }]],
 *   { offlineAccess: true }
 * )
 * // Effect succeeding with ["USER_POSTS_GET", "POST_EDIT.gW4fL8Xq", "offline_access"]
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Operation from "./Operation.js"

/**
 * Submit a post as the user; check whether the user may submit one.
 *
 * @since 0.1.0
 * @category scopes
 */
export const SUBMIT_USER_POST = "SUBMIT_USER_POST" as const

/**
 * Set or delete the customized button of the user's posts.
 *
 * @since 0.1.0
 * @category scopes
 */
export const USER_SET_CUSTOMIZED_BUTTON = "USER_SET_CUSTOMIZED_BUTTON" as const

/**
 * Delete the user's posts.
 *
 * @since 0.1.0
 * @category scopes
 */
export const DELETE_USER_POST = "DELETE_USER_POST" as const

/**
 * Edit any of the user's posts (`editPostV2`).
 *
 * @since 0.1.0
 * @category scopes
 */
export const EDIT_USER_POST = "EDIT_USER_POST" as const

/**
 * Read the statistics of the user's posts.
 *
 * @since 0.1.0
 * @category scopes
 */
export const USER_POSTS_STATS_READ = "USER_POSTS_STATS_READ" as const

/**
 * Read the user's posts.
 *
 * @since 0.1.0
 * @category scopes
 */
export const USER_POSTS_GET = "USER_POSTS_GET" as const

/**
 * Ask for a refresh token (valid 30 days) besides the access token.
 *
 * @since 0.1.0
 * @category scopes
 */
export const OFFLINE_ACCESS = "offline_access" as const

/**
 * Name of the resource scope that allows editing one post: `POST_EDIT.<post token>`
 * (build it with {@link postEdit}).
 *
 * @since 0.1.0
 * @category scopes
 */
export const POST_EDIT = "POST_EDIT" as const

/**
 * Name of the resource scope that allows setting the customized button of one
 * business: `BUSINESS_CREATE_CUSTOMIZED_BUTTON.<business token>` (build it with
 * {@link businessCreateCustomizedButton}).
 *
 * @since 0.1.0
 * @category scopes
 */
export const BUSINESS_CREATE_CUSTOMIZED_BUTTON = "BUSINESS_CREATE_CUSTOMIZED_BUTTON" as const

/**
 * The plain (resource-less) scopes the Post operations use.
 *
 * @since 0.1.0
 * @category models
 */
export type PlainScope =
  | typeof SUBMIT_USER_POST
  | typeof USER_SET_CUSTOMIZED_BUTTON
  | typeof DELETE_USER_POST
  | typeof EDIT_USER_POST
  | typeof USER_POSTS_STATS_READ
  | typeof USER_POSTS_GET
  | typeof OFFLINE_ACCESS

/**
 * The names of the resource scopes the Post operations use.
 *
 * @since 0.1.0
 * @category models
 */
export type ResourceScopeName = typeof POST_EDIT | typeof BUSINESS_CREATE_CUSTOMIZED_BUTTON

/**
 * A resource scope: `NAME.<resource>`.
 *
 * @since 0.1.0
 * @category models
 */
export type ResourceScope<Name extends string = ResourceScopeName> = `${Name}.${string}`

/**
 * A scope as sent to Kenar: a known one, or any other valid scope string.
 *
 * @since 0.1.0
 * @category models
 */
export type Scope = PlainScope | ResourceScope | (string & {})

/**
 * A scope split into its name and its resource (`undefined` for plain scopes).
 *
 * @since 0.1.0
 * @category models
 */
export interface ParsedScope {
  readonly name: string
  readonly resource: string | undefined
}

/**
 * Why a scope could not be built or parsed.
 *
 * - `InvalidName`: the name is not letters, digits and `_` starting with a letter.
 * - `InvalidResource`: the resource is not a token (1 to 64 characters of
 *   `[A-Za-z0-9_-]`), e.g. it holds `.`, `/` or a space.
 * - `MissingResource`: {@link forOperations} was not given the parameter a
 *   resource scope needs.
 *
 * @since 0.1.0
 * @category models
 */
export type InvalidScopeReason = "InvalidName" | "InvalidResource" | "MissingResource"

/**
 * A scope could not be built or parsed. Scope strings and resource tokens are
 * identifiers, not secrets, so `scope` holds the offending input.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidScopeError extends /* @__PURE__ */ Data.TaggedError("InvalidScopeError")<{
  readonly reason: InvalidScopeReason
  /** The scope (or scope template) at fault. */
  readonly scope: string
  /** The operation, for {@link forOperations}. */
  readonly operation: string | undefined
  readonly message: string
}> {}

const namePattern = /^[A-Za-z][A-Za-z0-9_]*$/
const resourcePattern = /^[A-Za-z0-9_-]{1,64}$/

const invalid = (reason: InvalidScopeReason, scope: string, message: string, operation?: string) =>
  new InvalidScopeError({ reason, scope, operation, message })

const checkResource = (name: string, resource: string): Effect.Effect<string, InvalidScopeError> =>
  resourcePattern.test(resource)
    ? Effect.succeed(`${name}.${resource}`)
    : Effect.fail(
        invalid(
          "InvalidResource",
          `${name}.${resource}`,
          `Invalid resource for scope ${name}: expected a token of 1 to 64 letters, digits, '_' or '-', got ${JSON.stringify(resource)}`
        )
      )

/**
 * Builds the resource scope `name.<resource>`, failing with
 * {@link InvalidScopeError} when `name` or `resource` is not valid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resource = <const Name extends string>(
  name: Name,
  resource: string
): Effect.Effect<ResourceScope<Name>, InvalidScopeError> =>
  namePattern.test(name)
    ? (checkResource(name, resource) as Effect.Effect<ResourceScope<Name>, InvalidScopeError>)
    : Effect.fail(invalid("InvalidName", name, `Invalid scope name ${JSON.stringify(name)}`))

/**
 * `POST_EDIT.<post token>`: edit one post (`editPost`, `editPostV2`).
 *
 * ```ts
 * const scope = yield* OAuthScope.postEdit("gW4fL8Xq") // "POST_EDIT.gW4fL8Xq"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const postEdit = (
  postToken: string
): Effect.Effect<ResourceScope<typeof POST_EDIT>, InvalidScopeError> => resource(POST_EDIT, postToken)

/**
 * `BUSINESS_CREATE_CUSTOMIZED_BUTTON.<business token>`: set the customized
 * button of one business (`createBusinessCustomizedButton`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const businessCreateCustomizedButton = (
  businessToken: string
): Effect.Effect<ResourceScope<typeof BUSINESS_CREATE_CUSTOMIZED_BUTTON>, InvalidScopeError> =>
  resource(BUSINESS_CREATE_CUSTOMIZED_BUTTON, businessToken)

const parseOrError = (scope: string): ParsedScope | InvalidScopeError => {
  const dot = scope.indexOf(".")
  const name = dot === -1 ? scope : scope.slice(0, dot)
  if (!namePattern.test(name)) {
    return invalid(
      "InvalidName",
      scope,
      `Invalid scope ${JSON.stringify(scope)}: expected NAME or NAME.<resource>`
    )
  }
  if (dot === -1) return { name, resource: undefined }
  const resource = scope.slice(dot + 1)
  if (!resourcePattern.test(resource)) {
    return invalid(
      "InvalidResource",
      scope,
      `Invalid scope ${JSON.stringify(scope)}: the resource must be 1 to 64 letters, digits, '_' or '-'`
    )
  }
  return { name, resource }
}

/**
 * Splits a scope into name and resource: `"POST_EDIT.gW4fL8Xq"` gives
 * `{ name: "POST_EDIT", resource: "gW4fL8Xq" }`, `"USER_POSTS_GET"` gives
 * `{ name: "USER_POSTS_GET", resource: undefined }`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (scope: string): Effect.Effect<ParsedScope, InvalidScopeError> => {
  const parsed = parseOrError(scope)
  return parsed instanceof InvalidScopeError ? Effect.fail(parsed) : Effect.succeed(parsed)
}

/**
 * Whether a string is a valid scope (`NAME` or `NAME.<resource>`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isValid = (scope: string): boolean => !(parseOrError(scope) instanceof InvalidScopeError)

/**
 * An operation given to {@link forOperations}: its function (e.g.
 * `Posts.getUserPost`) or definition, optionally paired with the path
 * parameters that fill resource scopes.
 *
 * @since 0.1.0
 * @category models
 */
export type OperationEntry =
  | Operation.Any
  | { readonly definition: Operation.Any }
  | readonly [Operation.Any | { readonly definition: Operation.Any }, Readonly<Record<string, string>>]

/**
 * Options of {@link forOperations}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ForOperationsOptions {
  /** Add `offline_access` to get a refresh token. Default: `false`. */
  readonly offlineAccess?: boolean | undefined
}

const placeholders = /\{(\w+)\}/g

const definitionOf = (entry: Operation.Any | { readonly definition: Operation.Any }): Operation.Any =>
  "definition" in entry ? entry.definition : entry

/** The scope chosen for one operation, `undefined` for API-key-only ones. */
const scopeFor = (
  definition: Operation.Any,
  params: Readonly<Record<string, string>> | undefined
): Effect.Effect<string | undefined, InvalidScopeError> => {
  const candidates = definition.scopes
  if (candidates === undefined || candidates.length === 0) return Effect.succeed(undefined)
  const needs = (template: string) => Array.from(template.matchAll(placeholders), (m) => m[1]!)
  const fillable = (template: string) => needs(template).every((name) => params?.[name] !== undefined)
  // A resource scope whose parameters were given (least privilege), else a plain scope.
  const chosen =
    candidates.find((template) => needs(template).length > 0 && fillable(template)) ??
    candidates.find((template) => needs(template).length === 0)
  if (chosen === undefined) {
    const template = candidates[0]!
    const missing = needs(template).filter((name) => params?.[name] === undefined)
    return Effect.fail(
      invalid(
        "MissingResource",
        template,
        `${definition.name} needs the scope ${candidates.join(" or ")}: pass [${definition.name}, { ${missing.join(", ")} }]`,
        definition.name
      )
    )
  }
  const scope = chosen.replace(placeholders, (_, name: string) => params?.[name] ?? "")
  const parsed = parseOrError(scope)
  if (parsed instanceof InvalidScopeError) {
    return Effect.fail(
      invalid(parsed.reason, scope, `${definition.name}: ${parsed.message}`, definition.name)
    )
  }
  return Effect.succeed(scope)
}

/**
 * The scopes to ask for so that the user can grant every given operation,
 * derived from each definition's `scopes` (any one of which suffices).
 * When an operation accepts a resource scope and its parameters are given
 * (`[Posts.editPostV2, { post_token }]`), the resource scope is chosen (least
 * privilege); otherwise a plain scope. Fails with `MissingResource` when an
 * operation only accepts a resource scope and its parameter is missing.
 * API-key-only operations add nothing. The result is deduplicated, in order.
 *
 * ```ts
 * const scopes = yield* OAuthScope.forOperations(
 *   [Posts.getUserPost, [Posts.editPost, { post_token: "gW4fL8Xq" }]],
 *   { offlineAccess: true }
 * ) // ["USER_POSTS_GET", "POST_EDIT.gW4fL8Xq", "offline_access"]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const forOperations = (
  operations: Iterable<OperationEntry>,
  options: ForOperationsOptions = {}
): Effect.Effect<ReadonlyArray<Scope>, InvalidScopeError> =>
  Effect.suspend(() =>
    Effect.forEach(Array.from(operations), (entry) =>
      Array.isArray(entry)
        ? scopeFor(definitionOf(entry[0]), entry[1])
        : scopeFor(definitionOf(entry as Operation.Any | { readonly definition: Operation.Any }), undefined)
    )
  ).pipe(
    Effect.map((scopes) => {
      const result = new Set<string>()
      for (const scope of scopes) if (scope !== undefined) result.add(scope)
      if (options.offlineAccess === true) result.add(OFFLINE_ACCESS)
      return Array.from(result)
    })
  )
