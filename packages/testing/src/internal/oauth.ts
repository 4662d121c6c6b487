/**
 * Divar's OAuth 2.0 authorization server as the simulator plays it (the
 * behaviour is described in `SimulatorOAuth.ts` and the README): clients,
 * consent challenges, authorization codes, refresh tokens, and the
 * authorization, decision and token endpoints. Access tokens go into the
 * world's grants, where the Post API checks them.
 */
import type * as SimulatorOAuth from "../SimulatorOAuth.js"
import { consentPage, errorPage } from "./oauthPages.js"
import { parseScope, scopeProblem } from "./oauthScopes.js"
import { secret } from "./random.js"
import type { World } from "./state.js"

/** A request the server answers with an RFC 6749 error. */
class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    readonly headers: Readonly<Record<string, string>> = {}
  ) {
    super(description)
  }
}

interface Authorization {
  readonly clientId: string
  readonly redirectUri: string
  readonly scopes: ReadonlyArray<string>
  readonly state: string
  readonly user: string
}

/** A consent page waiting for the user's decision. */
interface Pending extends Authorization {
  readonly expiresAt: number
}

interface Code extends Authorization {
  readonly expiresAt: number
  readonly family: string
  used: boolean
}

interface Refresh {
  readonly clientId: string
  readonly user: string
  readonly scopes: ReadonlyArray<string>
  readonly expiresAt: number
  readonly family: string
  /** The access token issued with it: it ends with the grace window too. */
  readonly accessToken: string
  /** When it was first exchanged; it keeps working for the grace window after. */
  rotatedAt: number | undefined
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] }

const zeroStats = (): Mutable<SimulatorOAuth.Stats> => ({
  authorize: 0,
  approved: 0,
  denied: 0,
  token: { authorization_code: 0, refresh_token: 0, other: 0 },
  issued: { authorization_code: 0, refresh_token: 0 }
})

const noStore = { "cache-control": "no-store", pragma: "no-cache" }
const maxFormBytes = 64 * 1024
/** Used codes, answered challenges and dead refresh tokens are forgotten this long after they stop working. */
const keepMillis = 60 * 60 * 1000

const jsonAnswer = (body: unknown, status: number, headers: Readonly<Record<string, string>> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", ...noStore, ...headers }
  })

const htmlAnswer = (body: string, status: number, headers: Readonly<Record<string, string>> = {}) =>
  new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...noStore, ...headers }
  })

const redirectTo = (uri: string, params: Readonly<Record<string, string | undefined>>): Response => {
  const url = new URL(uri)
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value)
  }
  return new Response(null, { status: 302, headers: { location: url.href, ...noStore } })
}

/** A parameter's value; an empty one counts as absent (RFC 6749 3.1). */
const value = (params: URLSearchParams, name: string): string | undefined => {
  const found = params.get(name)
  return found === null || found === "" ? undefined : found
}

const duplicated = (params: URLSearchParams): string | undefined => {
  const seen = new Set<string>()
  for (const name of params.keys()) {
    if (seen.has(name)) return name
    seen.add(name)
  }
  return undefined
}

/** Reads an `application/x-www-form-urlencoded` body (64 KiB at most). */
const readForm = async (request: Request): Promise<URLSearchParams> => {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase()
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError(
      "invalid_request",
      `the body must be application/x-www-form-urlencoded${type === "" ? "" : `, not ${type}`}`
    )
  }
  const chunks: Array<Uint8Array> = []
  let size = 0
  if (request.body !== null) {
    const reader = request.body.getReader()
    for (;;) {
      const { done, value: chunk } = await reader.read()
      if (done) break
      size += chunk.length
      if (size > maxFormBytes) {
        await reader.cancel()
        throw new OAuthError("invalid_request", "the body is larger than 64 KiB")
      }
      chunks.push(chunk)
    }
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  try {
    return new URLSearchParams(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
  } catch {
    throw new OAuthError("invalid_request", "the body is not valid UTF-8")
  }
}

const formDecode = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return text
  }
}

/**
 * The `id:secret` pairs an HTTP Basic credential may stand for: RFC 6749
 * (2.3.1) form-encodes both before base64, many clients do not, so both
 * readings are tried.
 */
const basicCredentials = (encoded: string): ReadonlyArray<readonly [string, string]> => {
  let text: string
  try {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0))
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return []
  }
  const colon = text.indexOf(":")
  if (colon === -1) return []
  const id = text.slice(0, colon)
  const password = text.slice(colon + 1)
  return [
    [formDecode(id), formDecode(password)],
    [id, password]
  ]
}

export interface OAuthConfig {
  readonly codeLifetimeMillis: number
  readonly accessTokenLifetimeSeconds: number
  readonly refreshTokenLifetimeMillis: number
  readonly graceMillis: number
}

/** The authorization server behind `sim.oauth` and the `/oauth2/` routes. */
export class OAuthServer implements SimulatorOAuth.OAuth {
  autoApprove: boolean
  user: string | undefined
  private readonly registered = new Map<string, SimulatorOAuth.Client>()
  private readonly pending = new Map<string, Pending>()
  private readonly codes = new Map<string, Code>()
  private readonly refreshTokens = new Map<string, Refresh>()
  private counts = zeroStats()
  private families = 0
  private inserts = 0

  constructor(
    private readonly world: World,
    private readonly config: OAuthConfig,
    options: { readonly autoApprove?: boolean; readonly user?: string } = {}
  ) {
    this.autoApprove = options.autoApprove ?? false
    this.user = options.user
  }

  readonly clients = (): ReadonlyArray<SimulatorOAuth.Client> =>
    [...this.registered.values()].map((client) => ({ ...client, redirectUris: [...client.redirectUris] }))

  readonly stats = (): SimulatorOAuth.Stats => structuredClone(this.counts)

  readonly resetStats = (): void => {
    this.counts = zeroStats()
  }

  readonly revoke = (token: string): boolean => {
    const family = this.world.grants.get(token)?.family ?? this.refreshTokens.get(token)?.family
    if (family === undefined) return this.world.grants.delete(token)
    this.revokeFamily(family)
    return true
  }

  /** Registers a client, and its app unless `apiKey` names an existing one. */
  addClient(input: SimulatorOAuth.ClientOptions): SimulatorOAuth.Client {
    const existing = input.apiKey === undefined ? undefined : this.world.apps.get(input.apiKey)
    let clientId = input.clientId ?? existing?.name
    for (let n = this.world.apps.size + 1; clientId === undefined || this.registered.has(clientId); n++) {
      if (input.clientId !== undefined) {
        throw new Error(`KenarSimulator: OAuth client '${input.clientId}' already exists`)
      }
      clientId = `app-${n}`
    }
    if (!/^[-_.a-zA-Z0-9]+$/.test(clientId)) {
      throw new Error(`KenarSimulator: an OAuth client id is an app slug, got '${clientId}'`)
    }
    if (input.redirectUris.length === 0) {
      throw new Error("KenarSimulator: an OAuth client needs at least one redirect URI")
    }
    for (const uri of input.redirectUris) {
      if (!URL.canParse(uri) || uri.includes("?") || uri.includes("#")) {
        throw new Error(
          `KenarSimulator: a redirect URI must be an absolute URL without query or fragment, got '${uri}'`
        )
      }
    }
    const app =
      existing ??
      this.world.addApp({ name: clientId, ...(input.apiKey === undefined ? {} : { apiKey: input.apiKey }) })
    const client: SimulatorOAuth.Client = {
      clientId,
      clientSecret: input.clientSecret ?? secret("sim_cs_"),
      redirectUris: [...input.redirectUris],
      apiKey: app.apiKey
    }
    this.registered.set(clientId, client)
    return { ...client, redirectUris: [...client.redirectUris] }
  }

  /** What the admin state shows: no secrets. */
  summary() {
    return {
      clients: [...this.registered.values()].map(({ clientId, redirectUris }) => ({
        clientId,
        redirectUris: [...redirectUris]
      })),
      autoApprove: this.autoApprove,
      user: this.user,
      stats: this.stats()
    }
  }

  // ---------------------------------------------------------------------------
  // GET /oauth2/auth
  // ---------------------------------------------------------------------------

  authorize(request: Request): Response {
    if (request.method !== "GET") {
      return htmlAnswer(errorPage("invalid_request", "the authorization endpoint answers GET"), 405, {
        allow: "GET"
      })
    }
    this.counts.authorize++
    const url = new URL(request.url)
    const params = url.searchParams
    const target = this.redirectTarget(params)
    if (target instanceof Response) return target
    const { client, redirectUri } = target
    const state = value(params, "state")
    const fail = (error: string, description: string) =>
      redirectTo(redirectUri, { error, error_description: description, state })

    const twice = duplicated(params)
    if (twice !== undefined) return fail("invalid_request", `parameter '${twice}' is given more than once`)
    const responseType = value(params, "response_type")
    if (responseType === undefined) return fail("invalid_request", "response_type is required")
    if (responseType !== "code") {
      return fail("unsupported_response_type", `response_type '${responseType}' is not supported: use 'code'`)
    }
    if (state === undefined) return fail("invalid_request", "state is required")
    if (state.length < 8) {
      return fail("invalid_request", "state must be at least 8 characters long (a random value)")
    }
    const scopes = parseScope(value(params, "scope") ?? "")
    if (scopes.length === 0) return fail("invalid_scope", "scope is required")

    const user = value(params, "login_hint") ?? this.user ?? this.world.users.keys().next().value
    if (user === undefined || !this.world.users.has(user)) {
      return htmlAnswer(
        errorPage(
          "login_required",
          user === undefined
            ? "the simulator has no user to sign in as: add one with sim.addUser()"
            : `the simulator has no user '${user}'`
        ),
        400
      )
    }
    const problems = this.scopeProblems(user, scopes)
    if (problems !== undefined) return fail("invalid_scope", problems)

    const authorization: Authorization = { clientId: client.clientId, redirectUri, scopes, state, user }
    if (this.autoApprove) return this.approve(authorization)
    const challenge = secret("sim_cc_")
    this.remember(this.pending, challenge, {
      ...authorization,
      expiresAt: this.world.now() + this.config.codeLifetimeMillis
    })
    const otherUsers = [...this.world.users.keys()]
      .filter((other) => other !== user)
      .slice(0, 20)
      .map((other) => {
        const href = new URL(url)
        href.searchParams.set("login_hint", other)
        return { user: other, href: `${href.pathname}${href.search}` }
      })
    return htmlAnswer(consentPage({ challenge, clientId: client.clientId, user, scopes, otherUsers }), 200)
  }

  /** The client and redirect URI, or the error page: a bad one is never redirected to. */
  private redirectTarget(
    params: URLSearchParams
  ): { readonly client: SimulatorOAuth.Client; readonly redirectUri: string } | Response {
    const page = (error: string, description: string) => htmlAnswer(errorPage(error, description), 400)
    if (params.getAll("client_id").length > 1)
      return page("invalid_request", "client_id is given more than once")
    const clientId = value(params, "client_id")
    if (clientId === undefined) return page("invalid_request", "client_id is required")
    const client = this.registered.get(clientId)
    if (client === undefined) return page("invalid_client", `unknown client '${clientId}'`)
    if (params.getAll("redirect_uri").length > 1) {
      return page("invalid_request", "redirect_uri is given more than once")
    }
    const redirectUri = value(params, "redirect_uri")
    if (redirectUri === undefined) return page("invalid_request", "redirect_uri is required")
    if (redirectUri.includes("?")) return page("invalid_request", "redirect_uri must not have a query string")
    if (!client.redirectUris.includes(redirectUri)) {
      return page("invalid_request", `redirect_uri is not registered for client '${clientId}'`)
    }
    return { client, redirectUri }
  }

  private scopeProblems(user: string, scopes: ReadonlyArray<string>): string | undefined {
    const problems = scopes.flatMap((scope) => scopeProblem(this.world, user, scope) ?? [])
    return problems.length === 0 ? undefined : problems.join("; ")
  }

  private approve(authorization: Authorization): Response {
    this.counts.approved++
    const code = secret("sim_ac_")
    const { clientId, redirectUri, scopes, state, user } = authorization
    this.remember(this.codes, code, {
      clientId,
      redirectUri,
      scopes,
      state,
      user,
      expiresAt: this.world.now() + this.config.codeLifetimeMillis,
      family: `authorization-${++this.families}`,
      used: false
    })
    return redirectTo(redirectUri, { code, scope: scopes.join(" "), state })
  }

  // ---------------------------------------------------------------------------
  // POST /oauth2/auth/decision (the consent page's form)
  // ---------------------------------------------------------------------------

  async decide(request: Request): Promise<Response> {
    const page = (error: string, description: string, status = 400) =>
      htmlAnswer(errorPage(error, description), status, status === 405 ? { allow: "POST" } : {})
    if (request.method !== "POST") return page("invalid_request", "the consent form is posted", 405)
    let form: URLSearchParams
    try {
      form = await readForm(request)
    } catch (error) {
      if (error instanceof OAuthError) return page(error.error, error.description)
      throw error
    }
    const challenge = value(form, "challenge") ?? ""
    const pending = this.pending.get(challenge)
    if (pending === undefined || this.world.now() >= pending.expiresAt) {
      return page("invalid_request", "unknown, answered or expired consent: start again at /oauth2/auth")
    }
    const decision = value(form, "decision")
    if (decision !== "approve" && decision !== "deny") {
      return page("invalid_request", "decision must be 'approve' or 'deny'")
    }
    this.pending.delete(challenge)
    if (decision === "deny") {
      this.counts.denied++
      return redirectTo(pending.redirectUri, {
        error: "access_denied",
        error_description: "The resource owner denied the request",
        state: pending.state
      })
    }
    // the user's posts may have changed while the page was open
    const problems = this.scopeProblems(pending.user, pending.scopes)
    if (problems !== undefined) {
      return redirectTo(pending.redirectUri, {
        error: "invalid_scope",
        error_description: problems,
        state: pending.state
      })
    }
    return this.approve(pending)
  }

  // ---------------------------------------------------------------------------
  // POST /oauth2/token
  // ---------------------------------------------------------------------------

  /** Answers the token endpoint; `note` learns the grant type (for the request log). */
  async token(request: Request, note: (grantType: string) => void): Promise<Response> {
    try {
      return jsonAnswer(await this.grant(request, note), 200)
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error
      return jsonAnswer(
        { error: error.error, error_description: error.description },
        error.status,
        error.headers
      )
    }
  }

  private async grant(request: Request, note: (grantType: string) => void): Promise<unknown> {
    if (request.method !== "POST") {
      throw new OAuthError("invalid_request", "the token endpoint accepts only POST", 405, { allow: "POST" })
    }
    let form: URLSearchParams
    try {
      form = await readForm(request)
    } catch (error) {
      this.counts.token.other++
      throw error
    }
    const grantType = value(form, "grant_type")
    if (grantType !== undefined) note(grantType)
    this.counts.token[
      grantType === "authorization_code" || grantType === "refresh_token" ? grantType : "other"
    ]++
    const twice = duplicated(form)
    if (twice !== undefined)
      throw new OAuthError("invalid_request", `parameter '${twice}' is given more than once`)
    const client = this.authenticate(request.headers, form)
    switch (grantType) {
      case undefined:
        throw new OAuthError("invalid_request", "grant_type is required")
      case "authorization_code":
        return this.exchangeCode(client, form)
      case "refresh_token":
        return this.refresh(client, form)
      default:
        throw new OAuthError(
          "unsupported_grant_type",
          `grant_type '${grantType}' is not supported: use authorization_code or refresh_token`
        )
    }
  }

  /** Client authentication: HTTP Basic or `client_id` + `client_secret` in the body, not both. */
  private authenticate(headers: Headers, form: URLSearchParams): SimulatorOAuth.Client {
    const basic = /^\s*basic\s+(\S*)\s*$/i.exec(headers.get("authorization") ?? "")
    const failed = (why: string) =>
      new OAuthError(
        "invalid_client",
        `client authentication failed: ${why}`,
        401,
        basic === null ? {} : { "www-authenticate": 'Basic realm="oauth"' }
      )
    let candidates: ReadonlyArray<readonly [string, string]>
    if (basic !== null) {
      if (form.has("client_secret")) {
        throw new OAuthError(
          "invalid_request",
          "send the client credentials once: HTTP Basic, or client_id and client_secret in the body"
        )
      }
      candidates = basicCredentials(basic[1]!)
      if (candidates.length === 0) throw failed("malformed HTTP Basic credentials")
      const bodyId = value(form, "client_id")
      if (bodyId !== undefined && candidates.every(([id]) => id !== bodyId)) {
        throw new OAuthError("invalid_request", "client_id differs from the HTTP Basic credentials")
      }
    } else {
      const id = value(form, "client_id")
      const password = value(form, "client_secret")
      if (id === undefined) throw failed("no client credentials (HTTP Basic, or client_id and client_secret)")
      if (password === undefined) throw failed("client_secret is missing")
      candidates = [[id, password]]
    }
    for (const [id, password] of candidates) {
      const client = this.registered.get(id)
      if (client !== undefined && client.clientSecret === password) return client
    }
    throw failed("unknown client or wrong secret")
  }

  private exchangeCode(client: SimulatorOAuth.Client, form: URLSearchParams): unknown {
    const code = value(form, "code")
    if (code === undefined) throw new OAuthError("invalid_request", "code is required")
    const redirectUri = value(form, "redirect_uri")
    if (redirectUri === undefined) throw new OAuthError("invalid_request", "redirect_uri is required")
    const record = this.codes.get(code)
    const invalidGrant = (why: string) => new OAuthError("invalid_grant", why)
    if (record === undefined) throw invalidGrant("the authorization code is invalid")
    if (record.clientId !== client.clientId) {
      throw invalidGrant("the authorization code was issued to another client")
    }
    if (record.used) {
      // RFC 6749 4.1.2: a code used twice revokes what was issued for it
      this.revokeFamily(record.family)
      throw invalidGrant("the authorization code was already used; the tokens issued for it are revoked")
    }
    if (this.world.now() >= record.expiresAt) throw invalidGrant("the authorization code expired")
    if (redirectUri !== record.redirectUri) {
      throw invalidGrant("redirect_uri differs from the one of the authorization request")
    }
    record.used = true
    this.counts.issued.authorization_code++
    return this.issue(record, record.scopes, record.scopes, record.family)
  }

  private refresh(client: SimulatorOAuth.Client, form: URLSearchParams): unknown {
    const token = value(form, "refresh_token")
    if (token === undefined) throw new OAuthError("invalid_request", "refresh_token is required")
    const record = this.refreshTokens.get(token)
    const invalidGrant = (why: string) => new OAuthError("invalid_grant", why)
    if (record === undefined) throw invalidGrant("the refresh token is invalid or was revoked")
    if (record.clientId !== client.clientId)
      throw invalidGrant("the refresh token was issued to another client")
    const now = this.world.now()
    if (now >= record.expiresAt) throw invalidGrant("the refresh token expired")
    if (record.rotatedAt !== undefined && now >= record.rotatedAt + this.config.graceMillis) {
      throw invalidGrant(
        `the refresh token was already used more than ${this.config.graceMillis / 1000} s ago: use the newest one`
      )
    }
    let scopes = record.scopes
    const asked = parseScope(value(form, "scope") ?? "")
    if (asked.length > 0) {
      const extra = asked.filter((scope) => !record.scopes.includes(scope))
      if (extra.length > 0) {
        throw new OAuthError("invalid_scope", `not granted to the refresh token: ${extra.join(" ")}`)
      }
      scopes = asked
    }
    if (record.rotatedAt === undefined) {
      // the old pair keeps working for the grace window, then stops
      record.rotatedAt = now
      const old = this.world.grants.get(record.accessToken)
      if (old !== undefined) {
        this.world.grants.set(record.accessToken, {
          ...old,
          expiresAt: Math.min(old.expiresAt, now + this.config.graceMillis)
        })
      }
    }
    this.counts.issued.refresh_token++
    return this.issue(record, scopes, record.scopes, record.family)
  }

  /** A new access token, and a refresh token when `offline_access` was granted. */
  private issue(
    to: { readonly clientId: string; readonly user: string },
    scopes: ReadonlyArray<string>,
    refreshScopes: ReadonlyArray<string>,
    family: string
  ): Record<string, unknown> {
    const now = this.world.now()
    const lifetime = this.config.accessTokenLifetimeSeconds
    const accessToken = secret("sim_at_")
    this.world.grants.set(accessToken, {
      user: to.user,
      scopes: new Set(scopes),
      expiresAt: now + lifetime * 1000,
      clientId: to.clientId,
      family
    })
    const answer: Record<string, unknown> = {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: lifetime,
      scope: scopes.join(" ")
    }
    if (refreshScopes.includes("offline_access")) {
      const refreshToken = secret("sim_rt_")
      this.remember(this.refreshTokens, refreshToken, {
        clientId: to.clientId,
        user: to.user,
        scopes: refreshScopes,
        expiresAt: now + this.config.refreshTokenLifetimeMillis,
        family,
        accessToken,
        rotatedAt: undefined
      })
      answer.refresh_token = refreshToken
    }
    return answer
  }

  private revokeFamily(family: string): void {
    for (const [token, grant] of this.world.grants)
      if (grant.family === family) this.world.grants.delete(token)
    for (const [token, refresh] of this.refreshTokens) {
      if (refresh.family === family) this.refreshTokens.delete(token)
    }
  }

  /** Stores an entry, and now and then forgets entries that stopped working long ago. */
  private remember<V>(map: Map<string, V>, key: string, entry: V): void {
    map.set(key, entry)
    if (++this.inserts % 256 !== 0) return
    const horizon = this.world.now() - keepMillis
    for (const [id, pending] of this.pending) if (pending.expiresAt < horizon) this.pending.delete(id)
    for (const [id, code] of this.codes) if (code.expiresAt < horizon) this.codes.delete(id)
    for (const [id, refresh] of this.refreshTokens) {
      const end = Math.min(
        refresh.expiresAt,
        (refresh.rotatedAt ?? Number.POSITIVE_INFINITY) + this.config.graceMillis
      )
      if (end < horizon) this.refreshTokens.delete(id)
    }
  }
}
