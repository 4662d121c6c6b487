import { describe, expect, it } from "vitest"
import * as KenarSimulator from "../src/KenarSimulator.js"
import { apiKey, paths, setup } from "./utils.js"

const redirectUri = "http://127.0.0.1:5173/oauth/callback"
const minute = 60_000
const day = 24 * 60 * minute

/** The harness of utils.ts plus an OAuth client of its app and helpers for the three endpoints. */
const oauthSetup = async (options: KenarSimulator.Options = {}) => {
  const h = await setup(options)
  const client = h.sim.addOAuthClient({
    clientId: "test-app",
    clientSecret: "test-secret",
    apiKey,
    redirectUris: [redirectUri, "https://app.example.ir/kenar/callback"]
  })

  /** GET /oauth2/auth; a `null` parameter is left out. */
  const authorize = (params: Record<string, string | null> = {}) => {
    const query = new URLSearchParams()
    const all: Record<string, string | null> = {
      response_type: "code",
      client_id: client.clientId,
      redirect_uri: redirectUri,
      scope: "USER_POSTS_GET offline_access",
      state: "st4te-0123456789",
      ...params
    }
    for (const [name, value] of Object.entries(all)) if (value !== null) query.set(name, value)
    return fetch(`${h.server.url}/oauth2/auth?${query}`, { redirect: "manual" })
  }

  const decide = (challenge: string, decision: string) =>
    fetch(`${h.server.url}/oauth2/auth/decision`, {
      method: "POST",
      body: new URLSearchParams({ challenge, decision }),
      redirect: "manual"
    })

  const challengeOf = (html: string) => /name="challenge" value="([^"]+)"/.exec(html)?.[1] ?? ""

  /** The query of a redirect back to the app. */
  const callback = (response: Response): Record<string, string> => {
    const location = response.headers.get("location")
    if (location === null) throw new Error(`no redirect: ${response.status}`)
    const url = new URL(location)
    expect(`${url.origin}${url.pathname}`).toBe(redirectUri)
    return Object.fromEntries(url.searchParams)
  }

  /** POST /oauth2/token, form-encoded with client_id + client_secret unless told otherwise. */
  const token = async (
    params: Record<string, string>,
    how: { readonly basic?: string; readonly credentials?: false; readonly json?: boolean } = {}
  ) => {
    const form: Record<string, string> = {
      ...(how.basic !== undefined || how.credentials === false
        ? {}
        : { client_id: client.clientId, client_secret: client.clientSecret }),
      ...params
    }
    const response = await fetch(`${h.server.url}/oauth2/token`, {
      method: "POST",
      headers: {
        ...(how.basic === undefined ? {} : { authorization: `Basic ${how.basic}` }),
        ...(how.json ? { "content-type": "application/json" } : {})
      },
      body: how.json ? JSON.stringify(form) : new URLSearchParams(form)
    })
    return { status: response.status, headers: response.headers, json: (await response.json()) as any }
  }

  /** Auto-approved authorization as `user`; returns the code. */
  const codeFor = async (scope: string, user = h.alice) => {
    const previous = h.sim.oauth.autoApprove
    h.sim.oauth.autoApprove = true
    const response = await authorize({ scope, login_hint: user })
    h.sim.oauth.autoApprove = previous
    return callback(response).code!
  }

  const exchange = (code: string) =>
    token({ grant_type: "authorization_code", code, redirect_uri: redirectUri })

  /** A full flow: tokens of `user` for `scope`. */
  const login = async (scope: string, user = h.alice) => {
    const answer = await exchange(await codeFor(scope, user))
    expect(answer.status).toBe(200)
    return answer.json as { access_token: string; refresh_token?: string; scope: string; expires_in: number }
  }

  const refresh = (refreshToken: string) =>
    token({ grant_type: "refresh_token", refresh_token: refreshToken })

  return { ...h, client, authorize, decide, challengeOf, callback, token, codeFor, exchange, login, refresh }
}

describe("GET /oauth2/auth: the consent step", () => {
  it("renders a consent page for the signed-in user, in Persian (RTL) and English", async () => {
    const h = await oauthSetup()
    const post = h.sim.addPost({ owner: h.alice, general_data: { title: "آپارتمان" } })
    const response = await h.authorize({ scope: `USER_POSTS_GET POST_EDIT.${post} offline_access` })
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(response.headers.get("location")).toBeNull()
    const html = await response.text()
    expect(html).toContain('<html lang="fa" dir="rtl">')
    expect(html).toContain("test-app")
    expect(html).toContain('<code id="user">alice</code>')
    expect(html).toContain('data-scope="USER_POSTS_GET"')
    expect(html).toContain(`data-scope="POST_EDIT.${post}"`)
    expect(html).toContain("خواندن آگهی‌های شما")
    expect(html).toContain('action="/oauth2/auth/decision"')
    expect(html).toMatch(/value="approve"[\s\S]*value="deny"/)
    // another user is one link away (login_hint)
    expect(html).toContain("login_hint=bob")
    expect(h.challengeOf(html)).toMatch(/^sim_cc_/)
    expect(h.sim.oauth.stats()).toMatchObject({ authorize: 1, approved: 0, denied: 0 })
  })

  it("approve: 302 to the redirect URI with a code, the granted scopes and the state", async () => {
    const h = await oauthSetup()
    const challenge = h.challengeOf(await (await h.authorize()).text())
    const response = await h.decide(challenge, "approve")
    expect(response.status).toBe(302)
    const query = h.callback(response)
    expect(query).toEqual({
      code: expect.stringMatching(/^sim_ac_/),
      scope: "USER_POSTS_GET offline_access",
      state: "st4te-0123456789"
    })
    // a consent is answered once
    const again = await h.decide(challenge, "approve")
    expect(again.status).toBe(400)
    expect(again.headers.get("location")).toBeNull()
    expect(await again.text()).toContain("unknown, answered or expired consent")
    expect(h.sim.oauth.stats()).toMatchObject({ authorize: 1, approved: 1, denied: 0 })
  })

  it("deny: 302 with error=access_denied and the state", async () => {
    const h = await oauthSetup()
    const challenge = h.challengeOf(await (await h.authorize({ state: "deny-state-42" })).text())
    const response = await h.decide(challenge, "deny")
    expect(response.status).toBe(302)
    expect(h.callback(response)).toEqual({
      error: "access_denied",
      error_description: "The resource owner denied the request",
      state: "deny-state-42"
    })
    expect(h.sim.oauth.stats()).toMatchObject({ approved: 0, denied: 1 })
  })

  it("a consent page expires with the code lifetime (10 minutes)", async () => {
    const h = await oauthSetup()
    const challenge = h.challengeOf(await (await h.authorize()).text())
    h.clock.advance(10 * minute)
    expect((await h.decide(challenge, "approve")).status).toBe(400)
  })

  it("signs in as login_hint, else sim.oauth.user, else the first user", async () => {
    const h = await oauthSetup()
    const userOn = async (params: Record<string, string | null>) =>
      /<code id="user">([^<]+)<\/code>/.exec(await (await h.authorize(params)).text())?.[1]
    expect(await userOn({})).toBe("alice")
    h.sim.oauth.user = h.bob
    expect(await userOn({})).toBe("bob")
    expect(await userOn({ login_hint: "alice" })).toBe("alice")
    const unknown = await h.authorize({ login_hint: "mallory" })
    expect(unknown.status).toBe(400)
    expect(unknown.headers.get("location")).toBeNull()
    expect(await unknown.text()).toContain("the simulator has no user &#39;mallory&#39;")
  })

  it("auto-approve: redirects at once with a code", async () => {
    const h = await oauthSetup()
    h.sim.oauth.autoApprove = true
    h.sim.oauth.user = h.bob
    const response = await h.authorize()
    expect(response.status).toBe(302)
    const query = h.callback(response)
    expect(query.state).toBe("st4te-0123456789")
    const tokens = await h.exchange(query.code!)
    expect(tokens.status).toBe(200)
    const post = h.sim.addPost({ owner: h.bob, general_data: { title: "آگهی باب" } })
    const read = await h.call("GET", paths.userPost(post), { bearer: tokens.json.access_token })
    expect(read.status).toBe(200)
    expect(h.sim.oauth.stats()).toMatchObject({ authorize: 1, approved: 1 })
  })

  it("auto-approve as a simulator option", async () => {
    const h = await oauthSetup({ oauth: { autoApprove: true, user: "bob" } })
    expect(h.sim.oauth.autoApprove).toBe(true)
    expect((await h.authorize()).status).toBe(302)
  })
})

describe("GET /oauth2/auth: invalid requests", () => {
  it("unknown client, unregistered or missing redirect URI: an error page, never a redirect", async () => {
    const h = await oauthSetup()
    h.sim.oauth.autoApprove = true
    const cases: Array<[Record<string, string | null>, string, string]> = [
      [{ client_id: "nobody" }, "invalid_client", "unknown client"],
      [{ client_id: null }, "invalid_request", "client_id is required"],
      [{ redirect_uri: "https://evil.example/callback" }, "invalid_request", "not registered"],
      [{ redirect_uri: `${redirectUri}/` }, "invalid_request", "not registered"],
      [{ redirect_uri: `${redirectUri}?next=1` }, "invalid_request", "must not have a query string"],
      [{ redirect_uri: null }, "invalid_request", "redirect_uri is required"]
    ]
    for (const [params, error, description] of cases) {
      const response = await h.authorize(params)
      expect(response.status).toBe(400)
      expect(response.headers.get("location")).toBeNull()
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8")
      const html = await response.text()
      expect(html).toContain(`<code id="error">${error}</code>`)
      expect(html).toContain(description)
    }
    expect(h.sim.oauth.stats().approved).toBe(0)
  })

  it("other problems go back to the app as error=... with the state", async () => {
    const h = await oauthSetup()
    const cases: Array<[Record<string, string | null>, string, string]> = [
      [{ response_type: "token" }, "unsupported_response_type", "response_type 'token' is not supported"],
      [{ response_type: null }, "invalid_request", "response_type is required"],
      [{ scope: "USER_POSTS_GET MAKE_COFFEE" }, "invalid_scope", "unknown scope 'MAKE_COFFEE'"],
      [{ scope: "" }, "invalid_scope", "scope is required"],
      [{ scope: "POST_EDIT" }, "invalid_scope", "needs a resource"],
      [{ scope: "USER_POSTS_GET.abc" }, "invalid_scope", "takes no resource"]
    ]
    for (const [params, error, description] of cases) {
      const query = h.callback(await h.authorize(params))
      expect(query).toEqual({
        error,
        error_description: expect.stringContaining(description),
        state: "st4te-0123456789"
      })
    }
    const stateless = h.callback(await h.authorize({ state: null }))
    expect(stateless).toEqual({ error: "invalid_request", error_description: "state is required" })
    expect(h.callback(await h.authorize({ state: "short" })).error_description).toContain("at least 8")
  })

  it("resource scopes must name the user's own post or a business they belong to", async () => {
    const h = await oauthSetup({ oauth: { autoApprove: true } })
    const mine = h.sim.addPost({ owner: h.alice, general_data: { title: "مال آلیس" } })
    const bobs = h.sim.addPost({ owner: h.bob, general_data: { title: "مال باب" } })
    const ok = h.callback(
      await h.authorize({ scope: `POST_EDIT.${mine} BUSINESS_CREATE_CUSTOMIZED_BUTTON.${h.business}` })
    )
    expect(ok.code).toBeDefined()
    expect(ok.scope).toBe(`POST_EDIT.${mine} BUSINESS_CREATE_CUSTOMIZED_BUTTON.${h.business}`)
    const refused: Array<[string, string, string]> = [
      [`POST_EDIT.${bobs}`, h.alice, `post ${bobs} is not a post of the user`],
      ["POST_EDIT.Missing01", h.alice, "post Missing01 is not a post of the user"],
      [`BUSINESS_CREATE_CUSTOMIZED_BUTTON.${h.business}`, h.bob, "not a member of business"]
    ]
    for (const [scope, user, why] of refused) {
      const query = h.callback(await h.authorize({ scope: `USER_POSTS_GET ${scope}`, login_hint: user }))
      expect(query).toEqual({
        error: "invalid_scope",
        error_description: expect.stringContaining(why),
        state: "st4te-0123456789"
      })
    }
  })

  it("the request log keeps routes and grant types, never codes, states, secrets or tokens", async () => {
    const h = await oauthSetup()
    const tokens = await h.login("USER_POSTS_GET offline_access")
    await h.refresh(tokens.refresh_token!)
    const logged = JSON.stringify(h.sim.requests())
    for (const secret of [tokens.access_token, tokens.refresh_token!, h.client.clientSecret, "st4te-0123"]) {
      expect(logged).not.toContain(secret)
    }
    expect(logged).not.toContain("sim_ac_")
    expect(
      h.sim.requests().map(({ route, operation, status, grantType }) => [route, operation, status, grantType])
    ).toEqual([
      ["/oauth2/auth", "oauthAuthorize", 302, undefined],
      ["/oauth2/token", "oauthToken", 200, "authorization_code"],
      ["/oauth2/token", "oauthToken", 200, "refresh_token"]
    ])
  })
})

describe("POST /oauth2/token: authorization_code", () => {
  it("exchanges a code for a bearer token, a refresh token with offline_access, no-store", async () => {
    const h = await oauthSetup()
    const answer = await h.exchange(await h.codeFor("USER_POSTS_GET offline_access"))
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/)
    expect(answer.headers.get("cache-control")).toBe("no-store")
    expect(answer.headers.get("pragma")).toBe("no-cache")
    expect(answer.json).toEqual({
      access_token: expect.stringMatching(/^sim_at_/),
      token_type: "bearer",
      expires_in: 3600,
      scope: "USER_POSTS_GET offline_access",
      refresh_token: expect.stringMatching(/^sim_rt_/)
    })
    const noOffline = await h.exchange(await h.codeFor("USER_POSTS_GET"))
    expect(noOffline.json.refresh_token).toBeUndefined()
    expect(noOffline.json.scope).toBe("USER_POSTS_GET")
  })

  it("accepts only form-encoded bodies: JSON is invalid_request", async () => {
    const h = await oauthSetup()
    const code = await h.codeFor("USER_POSTS_GET")
    const json = await h.token(
      { grant_type: "authorization_code", code, redirect_uri: redirectUri },
      { json: true }
    )
    expect(json.status).toBe(400)
    expect(json.json).toEqual({
      error: "invalid_request",
      error_description: "the body must be application/x-www-form-urlencoded, not application/json"
    })
    // the code was not spent
    expect((await h.exchange(code)).status).toBe(200)
    const get = await fetch(`${h.server.url}/oauth2/token`)
    expect([get.status, get.headers.get("allow"), (await get.json()).error]).toEqual([
      405,
      "POST",
      "invalid_request"
    ])
  })

  it("a code works once; reusing it fails and revokes what it gave", async () => {
    const h = await oauthSetup()
    const code = await h.codeFor("USER_POSTS_GET offline_access")
    const first = await h.exchange(code)
    expect(first.status).toBe(200)
    const second = await h.exchange(code)
    expect(second.status).toBe(400)
    expect(second.json.error).toBe("invalid_grant")
    expect(second.json.error_description).toContain("already used")
    const post = h.sim.addPost({ owner: h.alice, general_data: { title: "x" } })
    const read = await h.call("GET", paths.userPost(post), { bearer: first.json.access_token })
    expect([read.status, read.json.code]).toEqual([401, 16])
    expect((await h.refresh(first.json.refresh_token)).json.error).toBe("invalid_grant")
  })

  it("a code expires after 10 minutes (by the simulator's clock)", async () => {
    const h = await oauthSetup()
    const fresh = await h.codeFor("USER_POSTS_GET")
    h.clock.advance(10 * minute - 1)
    expect((await h.exchange(fresh)).status).toBe(200)
    const stale = await h.codeFor("USER_POSTS_GET")
    h.clock.advance(10 * minute)
    const answer = await h.exchange(stale)
    expect([answer.status, answer.json.error, answer.json.error_description]).toEqual([
      400,
      "invalid_grant",
      "the authorization code expired"
    ])
  })

  it("a code is bound to its client and redirect URI", async () => {
    const h = await oauthSetup()
    const other = h.sim.addOAuthClient({ clientId: "other-app", redirectUris: [redirectUri] })
    const code = await h.codeFor("USER_POSTS_GET")
    const mismatch = await h.token({
      grant_type: "authorization_code",
      code,
      redirect_uri: "https://app.example.ir/kenar/callback"
    })
    expect([mismatch.status, mismatch.json.error]).toEqual([400, "invalid_grant"])
    expect(mismatch.json.error_description).toContain("redirect_uri")
    const missing = await h.token({ grant_type: "authorization_code", code })
    expect(missing.json).toEqual({ error: "invalid_request", error_description: "redirect_uri is required" })
    const stolen = await h.token(
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        client_id: other.clientId,
        client_secret: other.clientSecret
      },
      { credentials: false }
    )
    expect([stolen.status, stolen.json.error_description]).toEqual([
      400,
      "the authorization code was issued to another client"
    ])
    expect((await h.exchange(code)).status).toBe(200)
    const unknown = await h.exchange("sim_ac_made_up")
    expect([unknown.status, unknown.json.error]).toEqual([400, "invalid_grant"])
  })

  it("grant_type: missing is invalid_request, unknown is unsupported_grant_type", async () => {
    const h = await oauthSetup()
    expect((await h.token({})).json.error).toBe("invalid_request")
    const password = await h.token({ grant_type: "password", username: "alice", password: "x" })
    expect([password.status, password.json.error]).toEqual([400, "unsupported_grant_type"])
  })
})

describe("POST /oauth2/token: client authentication", () => {
  it("a wrong secret, an unknown client or no credentials: 401 invalid_client", async () => {
    const h = await oauthSetup()
    const code = await h.codeFor("USER_POSTS_GET")
    const params = { grant_type: "authorization_code", code, redirect_uri: redirectUri }
    for (const credentials of [
      { client_id: "test-app", client_secret: "wrong" },
      { client_id: "nobody", client_secret: "test-secret" },
      { client_id: "test-app" },
      {}
    ]) {
      const answer = await h.token({ ...params, ...credentials }, { credentials: false })
      expect(answer.status).toBe(401)
      expect(answer.json.error).toBe("invalid_client")
      expect(answer.json.error_description).not.toContain("test-secret")
      expect(answer.headers.get("www-authenticate")).toBeNull()
    }
    expect((await h.exchange(code)).status).toBe(200)
  })

  it("HTTP Basic works too; a failed Basic attempt gets WWW-Authenticate", async () => {
    const h = await oauthSetup()
    const params = () =>
      h.codeFor("USER_POSTS_GET").then((code) => ({
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri
      }))
    const basic = (id: string, secret: string) =>
      Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")
    const ok = await h.token(await params(), { basic: basic("test-app", "test-secret") })
    expect(ok.status).toBe(200)
    const withId = await h.token(
      { ...(await params()), client_id: "test-app" },
      { basic: basic("test-app", "test-secret") }
    )
    expect(withId.status).toBe(200)
    const wrong = await h.token(await params(), { basic: basic("test-app", "nope") })
    expect([wrong.status, wrong.json.error]).toEqual([401, "invalid_client"])
    expect(wrong.headers.get("www-authenticate")).toBe('Basic realm="oauth"')
    const garbage = await h.token(await params(), { basic: "%%%" })
    expect([garbage.status, garbage.json.error]).toEqual([401, "invalid_client"])
    const both = await h.token(
      { ...(await params()), client_secret: "test-secret" },
      { basic: basic("test-app", "test-secret") }
    )
    expect([both.status, both.json.error]).toEqual([400, "invalid_request"])
  })
})

describe("POST /oauth2/token: refresh_token", () => {
  it("rotates both tokens; the old pair works for 2 minutes, then fails", async () => {
    const h = await oauthSetup()
    const post = h.sim.addPost({ owner: h.alice, general_data: { title: "آگهی" } })
    const read = (bearer: string) => h.call("GET", paths.userPost(post), { bearer })
    const old = await h.login("USER_POSTS_GET offline_access")
    h.clock.advance(50 * minute)

    const rotated = await h.refresh(old.refresh_token!)
    expect(rotated.status).toBe(200)
    expect(rotated.headers.get("cache-control")).toBe("no-store")
    expect(rotated.json).toEqual({
      access_token: expect.stringMatching(/^sim_at_/),
      token_type: "bearer",
      expires_in: 3600,
      scope: "USER_POSTS_GET offline_access",
      refresh_token: expect.stringMatching(/^sim_rt_/)
    })
    expect(rotated.json.access_token).not.toBe(old.access_token)
    expect(rotated.json.refresh_token).not.toBe(old.refresh_token)

    // within the grace window: the old access token reads, the old refresh token still exchanges
    h.clock.advance(2 * minute - 1)
    expect((await read(old.access_token)).status).toBe(200)
    const late = await h.refresh(old.refresh_token!)
    expect(late.status).toBe(200)
    expect(late.json.refresh_token).not.toBe(rotated.json.refresh_token)

    // after it: both old tokens fail, every token issued since works
    h.clock.advance(1)
    const denied = await read(old.access_token)
    expect([denied.status, denied.json.code, denied.json.message]).toEqual([401, 16, "access token expired"])
    const reused = await h.refresh(old.refresh_token!)
    expect([reused.status, reused.json.error]).toEqual([400, "invalid_grant"])
    expect(reused.json.error_description).toContain("already used")
    expect((await read(rotated.json.access_token)).status).toBe(200)
    expect((await read(late.json.access_token)).status).toBe(200)
    expect((await h.refresh(rotated.json.refresh_token)).status).toBe(200)
    expect((await h.refresh(late.json.refresh_token)).status).toBe(200)
  })

  it("the grace window does not extend an access token that expires sooner", async () => {
    const h = await oauthSetup()
    const post = h.sim.addPost({ owner: h.alice, general_data: { title: "آگهی" } })
    const old = await h.login("USER_POSTS_GET offline_access")
    h.clock.advance(59 * minute)
    expect((await h.refresh(old.refresh_token!)).status).toBe(200)
    h.clock.advance(minute)
    expect((await h.call("GET", paths.userPost(post), { bearer: old.access_token })).status).toBe(401)
  })

  it("refresh tokens last 30 days, counted anew after each rotation, and answer to their client only", async () => {
    const h = await oauthSetup()
    const first = await h.login("USER_POSTS_GET offline_access")
    h.clock.advance(29 * day)
    const second = await h.refresh(first.refresh_token!)
    expect(second.status).toBe(200)
    h.clock.advance(29 * day)
    expect((await h.refresh(second.json.refresh_token)).status).toBe(200)
    const idle = await h.login("USER_POSTS_GET offline_access")
    h.clock.advance(30 * day)
    const expired = await h.refresh(idle.refresh_token!)
    expect([expired.status, expired.json.error, expired.json.error_description]).toEqual([
      400,
      "invalid_grant",
      "the refresh token expired"
    ])
    const other = h.sim.addOAuthClient({ clientId: "other-app", redirectUris: [redirectUri] })
    const theirs = await h.login("USER_POSTS_GET offline_access")
    const stolen = await h.token(
      {
        grant_type: "refresh_token",
        refresh_token: theirs.refresh_token!,
        client_id: other.clientId,
        client_secret: other.clientSecret
      },
      { credentials: false }
    )
    expect([stolen.status, stolen.json.error]).toEqual([400, "invalid_grant"])
    expect((await h.refresh("sim_rt_made_up")).json.error).toBe("invalid_grant")
  })

  it("may narrow the scope, never widen it", async () => {
    const h = await oauthSetup()
    const tokens = await h.login("USER_POSTS_GET USER_POSTS_STATS_READ offline_access")
    const narrow = await h.token({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
      scope: "USER_POSTS_GET"
    })
    expect([narrow.status, narrow.json.scope]).toEqual([200, "USER_POSTS_GET"])
    const wide = await h.token({
      grant_type: "refresh_token",
      refresh_token: narrow.json.refresh_token,
      scope: "USER_POSTS_GET DELETE_USER_POST"
    })
    expect([wide.status, wide.json.error]).toEqual([400, "invalid_scope"])
    // the new refresh token keeps the scope of the old one
    const again = await h.refresh(narrow.json.refresh_token)
    expect(again.json.scope).toBe("USER_POSTS_GET USER_POSTS_STATS_READ offline_access")
  })

  it("sim.oauth.revoke ends every token of an authorization", async () => {
    const h = await oauthSetup()
    const post = h.sim.addPost({ owner: h.alice, general_data: { title: "آگهی" } })
    const tokens = await h.login("USER_POSTS_GET offline_access")
    const next = await h.refresh(tokens.refresh_token!)
    const other = await h.login("USER_POSTS_GET offline_access")
    expect(h.sim.oauth.revoke(next.json.refresh_token)).toBe(true)
    expect((await h.refresh(next.json.refresh_token)).json.error).toBe("invalid_grant")
    expect((await h.refresh(tokens.refresh_token!)).json.error).toBe("invalid_grant")
    for (const bearer of [tokens.access_token, next.json.access_token]) {
      expect((await h.call("GET", paths.userPost(post), { bearer })).status).toBe(401)
    }
    expect((await h.call("GET", paths.userPost(post), { bearer: other.access_token })).status).toBe(200)
    expect(h.sim.oauth.revoke("sim_rt_unknown")).toBe(false)
  })

  it("counts token requests per grant type (100 concurrent refreshes are 100)", async () => {
    const h = await oauthSetup()
    const tokens = await h.login("USER_POSTS_GET offline_access")
    h.sim.oauth.resetStats()
    const answers = await Promise.all(Array.from({ length: 100 }, () => h.refresh(tokens.refresh_token!)))
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    await h.token({ grant_type: "client_credentials" })
    expect(h.sim.oauth.stats()).toEqual({
      authorize: 0,
      approved: 0,
      denied: 0,
      token: { authorization_code: 0, refresh_token: 100, other: 1 },
      issued: { authorization_code: 0, refresh_token: 100 }
    })
    expect(h.sim.requests().filter((entry) => entry.grantType === "refresh_token")).toHaveLength(100)
  })
})

describe("tokens from the OAuth flow on the Post API", () => {
  it("are checked for scopes like any access token: no USER_POSTS_GET, 403 code 7", async () => {
    const h = await oauthSetup()
    const post = h.sim.addPost({ owner: h.alice, general_data: { title: "آپارتمان ۸۰ متری" } })
    const reader = await h.login("USER_POSTS_GET")
    const ok = await h.call("GET", paths.userPost(post), { bearer: reader.access_token })
    expect([ok.status, ok.json.general_data.title]).toEqual([200, "آپارتمان ۸۰ متری"])
    const statsOnly = await h.login("USER_POSTS_STATS_READ")
    const denied = await h.call("GET", paths.userPost(post), { bearer: statsOnly.access_token })
    expect(denied.status).toBe(403)
    expect(denied.json).toEqual({ code: 7, message: "missing OAuth scope: USER_POSTS_GET", details: [] })
    expect((await h.call("GET", paths.stats(post), { bearer: statsOnly.access_token })).status).toBe(200)
    const edit = await h.login(`POST_EDIT.${post}`)
    const body = { title: "عنوان تازه", description: "توضیح" }
    expect((await h.call("PUT", paths.post(post), { bearer: edit.access_token, body })).status).toBe(200)
  })

  it("act for the user who signed in, and expire after expires_in by the clock", async () => {
    const h = await oauthSetup()
    const post = h.sim.addPost({ owner: h.alice, general_data: { title: "مال آلیس" } })
    const bob = await h.login("USER_POSTS_GET", h.bob)
    expect((await h.call("GET", paths.userPost(post), { bearer: bob.access_token })).status).toBe(404)
    const alice = await h.login("USER_POSTS_GET")
    h.clock.advance(3600_000 - 1)
    expect((await h.call("GET", paths.userPost(post), { bearer: alice.access_token })).status).toBe(200)
    h.clock.advance(1)
    const expired = await h.call("GET", paths.userPost(post), { bearer: alice.access_token })
    expect([expired.status, expired.json.message]).toEqual([401, "access token expired"])
  })
})

describe("the authorization server around the API", () => {
  it("has no CORS, even with cors on", async () => {
    const h = await oauthSetup({ cors: true })
    const preflight = await fetch(`${h.server.url}/oauth2/token`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" }
    })
    expect(preflight.status).toBe(405)
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull()
    const answer = await h.exchange(await h.codeFor("USER_POSTS_GET"))
    expect(answer.headers.get("access-control-allow-origin")).toBeNull()
    expect((await h.call("GET", paths.uploadUrls)).headers.get("access-control-allow-origin")).toBe("*")
  })

  it("faults reach it only when they name it, and then answer as OAuth errors", async () => {
    const h = await oauthSetup()
    const tokens = await h.login("USER_POSTS_GET offline_access")
    h.sim.faults.inject({ kind: "status", status: 503 })
    expect((await h.refresh(tokens.refresh_token!)).status).toBe(200)
    expect((await h.call("GET", paths.uploadUrls)).status).toBe(503)
    h.sim.faults.clear()
    h.sim.faults.inject({ kind: "status", status: 503, operation: "oauthToken", times: 1, retryAfter: 3 })
    const failed = await h.refresh(tokens.refresh_token!)
    expect([failed.status, failed.headers.get("retry-after"), failed.json]).toEqual([
      503,
      "3",
      { error: "temporarily_unavailable", error_description: "simulated fault: HTTP 503" }
    ])
    expect(h.sim.requests().at(-1)).toMatchObject({ operation: "oauthToken", fault: "status", status: 503 })
  })

  it("admin: GET/POST /__simulator/oauth shows and sets auto-approve and the user, without secrets", async () => {
    const h = await oauthSetup()
    const set = await h.call("POST", "/__simulator/oauth", {
      apiKey: null,
      body: { autoApprove: true, user: "bob" }
    })
    expect(set.status).toBe(200)
    expect(set.json).toMatchObject({
      clients: [
        { clientId: "test-app", redirectUris: [redirectUri, "https://app.example.ir/kenar/callback"] }
      ],
      autoApprove: true,
      user: "bob"
    })
    expect(h.sim.oauth.autoApprove).toBe(true)
    expect((await h.authorize()).status).toBe(302)
    const state = await h.call("GET", "/__simulator/state", { apiKey: null })
    expect(state.json.oauth).toMatchObject({ autoApprove: true, user: "bob", stats: { approved: 1 } })
    expect(state.text).not.toContain("test-secret")
    const bad = await h.call("POST", "/__simulator/oauth", { apiKey: null, body: { user: "mallory" } })
    expect([bad.status, bad.json.code]).toEqual([400, 3])
  })

  it("in-process, the simulator also answers for oauth.divar.ir", async () => {
    const sim = KenarSimulator.make({ oauth: { autoApprove: true } })
    const demo = KenarSimulator.seedDemo(sim)
    expect(demo.oauthClient).toMatchObject({
      clientId: "kenar-demo",
      apiKey: demo.apiKey,
      redirectUris: ["http://127.0.0.1:5173/oauth/callback", "http://localhost:5173/oauth/callback"]
    })
    const query = new URLSearchParams({
      response_type: "code",
      client_id: "kenar-demo",
      redirect_uri: "http://localhost:5173/oauth/callback",
      scope: "USER_POSTS_GET",
      state: "in-process-state"
    })
    const authorized = await sim.handler(new Request(`https://oauth.divar.ir/oauth2/auth?${query}`))
    const code = new URL(authorized.headers.get("location")!).searchParams.get("code")!
    const answer = await sim.handler(
      new Request("https://oauth.divar.ir/oauth2/token", {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: "http://localhost:5173/oauth/callback",
          client_id: "kenar-demo",
          client_secret: demo.oauthClient.clientSecret
        })
      })
    )
    const { access_token } = await answer.json()
    const post = await sim.handler(
      new Request(`https://open-api.divar.ir/v1/open-platform/user-post/${demo.posts[0]}`, {
        headers: { "x-api-key": demo.apiKey, authorization: `Bearer ${access_token}` }
      })
    )
    expect(post.status).toBe(200)
  })

  it("addOAuthClient checks what it is given", async () => {
    const sim = KenarSimulator.make()
    const client = sim.addOAuthClient({ redirectUris: ["https://a.example/cb"] })
    expect(client.clientId).toBe("app-1")
    expect(client.clientSecret).toMatch(/^sim_cs_/)
    expect(sim.summary().apps).toBe(1)
    expect(() => sim.addOAuthClient({ clientId: "app-1", redirectUris: ["https://a.example/cb"] })).toThrow(
      /already exists/
    )
    expect(() => sim.addOAuthClient({ redirectUris: [] })).toThrow(/at least one/)
    expect(() => sim.addOAuthClient({ redirectUris: ["https://a.example/cb?x=1"] })).toThrow(/without query/)
    expect(() => sim.addOAuthClient({ redirectUris: ["/relative"] })).toThrow(/absolute URL/)
    expect(() =>
      sim.addOAuthClient({ clientId: "has space", redirectUris: ["https://a.example/cb"] })
    ).toThrow(/app slug/)
  })
})
