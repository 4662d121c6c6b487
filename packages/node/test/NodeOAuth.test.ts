import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { OAuth } from "@kenar/core"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Redacted from "effect/Redacted"
import { afterEach, describe, expect, it } from "vitest"
import * as NodeOAuth from "../src/NodeOAuth.js"

const CLIENT_SECRET = "cs_node-secret-value-789"

const servers: Array<http.Server> = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** A token endpoint on 127.0.0.1 that answers every request with one token set. */
const tokenEndpoint = async () => {
  const forms: Array<URLSearchParams> = []
  const server = http.createServer((req, res) => {
    let body = ""
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8")
    })
    req.on("end", () => {
      forms.push(new URLSearchParams(body))
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          access_token: "node_at_1",
          refresh_token: "node_rt_1",
          expires_in: 3600,
          scope: "USER_POSTS_GET offline_access",
          token_type: "bearer"
        })
      )
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`, forms }
}

const env = (values: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnvRecord(values))

const fullEnv = {
  KENAR_OAUTH_CLIENT_ID: "env-app",
  KENAR_OAUTH_CLIENT_SECRET: CLIENT_SECRET,
  KENAR_OAUTH_REDIRECT_URI: "https://app.example/oauth/callback",
  KENAR_API_KEY: "env-api-key"
}

const withLayer = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: NodeOAuth.Options = {},
  values: Record<string, string> = fullEnv
) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(NodeOAuth.layerWithoutHttpClient(options)),
      Effect.provide(FetchHttpClient.layer),
      Effect.provide(env(values))
    ) as Effect.Effect<A, E | unknown>
  )

describe("NodeOAuth.layer settings", () => {
  it("reads KENAR_OAUTH_* through Config, the secret as Redacted", async () => {
    const config = await withLayer(Effect.map(Effect.service(OAuth.OAuthClient), (client) => client.config))
    expect(config).toMatchObject({
      clientId: "env-app",
      redirectUri: "https://app.example/oauth/callback",
      tokenUrl: "https://oauth.divar.ir/oauth2/token"
    })
    expect(Redacted.isRedacted(config.clientSecret)).toBe(true)
    expect(Redacted.value(config.clientSecret)).toBe(CLIENT_SECRET)
  })

  it("lets options win over the environment", async () => {
    const config = await withLayer(
      Effect.map(Effect.service(OAuth.OAuthClient), (client) => client.config),
      {
        clientId: "option-app",
        redirectUri: "http://localhost:3000/cb"
      }
    )
    expect(config).toMatchObject({ clientId: "option-app", redirectUri: "http://localhost:3000/cb" })
  })

  it("fails with a ConfigError naming a missing variable, and one for an invalid redirect URI, never with the secret", async () => {
    const missing = await Effect.runPromise(
      Effect.flip(NodeOAuth.config()).pipe(Effect.provide(env({ KENAR_OAUTH_CLIENT_SECRET: CLIENT_SECRET })))
    )
    expect(missing._tag).toBe("ConfigError")
    expect(String(missing)).toContain("KENAR_OAUTH_CLIENT_ID")
    const invalid = await Effect.runPromise(
      Effect.flip(NodeOAuth.config()).pipe(
        Effect.provide(env({ ...fullEnv, KENAR_OAUTH_REDIRECT_URI: "https://app.example/cb?x=1" }))
      )
    )
    expect(invalid._tag).toBe("ConfigError")
    expect(String(invalid)).toContain("redirectUri")
    for (const error of [missing, invalid]) {
      expect(String(error)).not.toContain(CLIENT_SECRET)
      expect(error.message).not.toContain(CLIENT_SECRET)
    }
  })
})

describe("NodeOAuth.start", () => {
  it("gives the authorization URL, the state and a __Host- state cookie for https", async () => {
    const started = await withLayer(NodeOAuth.start({ scopes: ["USER_POSTS_GET", "offline_access"] }))
    const url = new URL(started.url)
    expect(url.origin + url.pathname).toBe("https://oauth.divar.ir/oauth2/auth")
    expect(url.searchParams.get("client_id")).toBe("env-app")
    expect(url.searchParams.get("state")).toBe(started.state)
    expect(url.searchParams.get("scope")).toBe("USER_POSTS_GET offline_access")
    expect(started.state).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(started.cookie).toBe(
      `__Host-kenar_oauth_state=${started.state}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure`
    )
    expect(started.url).not.toContain(CLIENT_SECRET)
    expect(NodeOAuth.stateFromCookie(`theme=dark; ${started.cookie.split(";")[0]}; sid=1`)).toBe(
      started.state
    )
  })

  it("uses a plain cookie for an http (development) redirect URI", async () => {
    const started = await withLayer(NodeOAuth.start({ scopes: ["USER_POSTS_GET"] }), {
      redirectUri: "http://localhost:3000/cb"
    })
    expect(started.cookie.startsWith(`kenar_oauth_state=${started.state};`)).toBe(true)
    expect(started.cookie).not.toContain("Secure")
    expect(NodeOAuth.stateFromCookie(`kenar_oauth_state=${started.state}`)).toBe(started.state)
    expect(NodeOAuth.stateFromCookie(undefined)).toBeUndefined()
    expect(NodeOAuth.stateFromCookie("other=1")).toBeUndefined()
    expect(NodeOAuth.clearStateCookie(false)).toContain("kenar_oauth_state=; Path=/; Max-Age=0")
  })
})

describe("NodeOAuth.callback", () => {
  it("checks the callback, exchanges the code and keeps the tokens for the user", async () => {
    const endpoint = await tokenEndpoint()
    const result = await withLayer(
      Effect.gen(function* () {
        const started = yield* NodeOAuth.start({ scopes: ["USER_POSTS_GET"] })
        const cookieHeader = started.cookie.split(";")[0]
        const tokens = yield* NodeOAuth.callback(
          `/oauth/callback?code=node-code-1&state=${started.state}`,
          NodeOAuth.stateFromCookie(cookieHeader),
          { key: "user-1" }
        )
        const kept = yield* (yield* OAuth.TokenManager).getAccessToken("user-1")
        return { tokens, kept }
      }),
      { tokenUrl: endpoint.url }
    )
    expect(Redacted.value(result.tokens.accessToken)).toBe("node_at_1")
    expect(Redacted.value(result.kept)).toBe("node_at_1")
    expect(endpoint.forms.map((form) => Object.fromEntries(form))).toEqual([
      {
        grant_type: "authorization_code",
        code: "node-code-1",
        redirect_uri: "https://app.example/oauth/callback",
        client_id: "env-app",
        client_secret: CLIENT_SECRET
      }
    ])
  })

  it("refuses a callback with another state without calling the token endpoint", async () => {
    const endpoint = await tokenEndpoint()
    const error = await withLayer(
      Effect.flip(
        NodeOAuth.callback(
          "/oauth/callback?code=node-code-2&state=forged-state-value-123456",
          "kept-state-0123456789"
        )
      ),
      { tokenUrl: endpoint.url }
    )
    expect(error).toMatchObject({ _tag: "OAuthError", reason: "StateMismatch" })
    expect(String(error)).not.toContain("node-code-2")
    expect(endpoint.forms).toHaveLength(0)
  })

  it("works over the undici transport of NodeOAuth.layer", async () => {
    const endpoint = await tokenEndpoint()
    const tokens = await Effect.runPromise(
      NodeOAuth.callback(
        { code: "node-code-3", state: "kept-state-0123456789" },
        "kept-state-0123456789"
      ).pipe(
        Effect.provide(
          NodeOAuth.layer({
            clientId: "app",
            clientSecret: Redacted.make(CLIENT_SECRET),
            redirectUri: "https://app.example/cb",
            tokenUrl: endpoint.url,
            apiKey: "k"
          })
        )
      )
    )
    expect(Redacted.value(tokens.refreshToken!)).toBe("node_rt_1")
    expect(endpoint.forms[0]!.get("code")).toBe("node-code-3")
  })
})
