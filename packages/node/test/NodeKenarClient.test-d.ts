import { KenarAuth, type KenarClient, OAuth } from "@kenar/core"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import { describe, expectTypeOf, it } from "vitest"
import { NodeKenarClient, NodeOAuth } from "../src/index.js"

const oauth = OAuth.layer({
  clientId: "app",
  clientSecret: "secret",
  redirectUri: "https://app.example/cb",
  apiKey: "key"
})

class Db extends Context.Service<Db, { readonly url: string }>()("test/Db") {}

describe("NodeKenarClient.layer types", () => {
  it("without auth: the client only, as before", () => {
    expectTypeOf(NodeKenarClient.layer({ apiKey: "k" })).toEqualTypeOf<
      Layer.Layer<KenarClient.KenarClient, Config.ConfigError>
    >()
    expectTypeOf(NodeKenarClient.layer()).toEqualTypeOf<
      Layer.Layer<KenarClient.KenarClient, Config.ConfigError>
    >()
  })

  it("with auth: also what the auth layer provides, its errors, and its needs but the HttpClient", () => {
    expectTypeOf(NodeKenarClient.layer({ auth: oauth })).toEqualTypeOf<
      Layer.Layer<
        | KenarClient.KenarClient
        | KenarAuth.KenarAuth
        | OAuth.TokenManager
        | OAuth.OAuthClient
        | OAuth.TokenStore,
        Config.ConfigError
      >
    >()
    expectTypeOf(NodeKenarClient.layer({ auth: NodeOAuth.layerWithoutHttpClient() })).toEqualTypeOf<
      Layer.Layer<
        | KenarClient.KenarClient
        | KenarAuth.KenarAuth
        | OAuth.TokenManager
        | OAuth.OAuthClient
        | OAuth.TokenStore,
        Config.ConfigError
      >
    >()
    const needsDb = Layer.effect(
      KenarAuth.KenarAuth,
      Effect.map(Effect.service(Db), () => KenarAuth.make({ apiKey: "k" }))
    )
    expectTypeOf(NodeKenarClient.layer({ auth: needsDb })).toEqualTypeOf<
      Layer.Layer<KenarClient.KenarClient | KenarAuth.KenarAuth, Config.ConfigError, Db>
    >()
    expectTypeOf(NodeKenarClient.layerWithoutHttpClient({ auth: oauth })).toEqualTypeOf<
      Layer.Layer<
        | KenarClient.KenarClient
        | KenarAuth.KenarAuth
        | OAuth.TokenManager
        | OAuth.OAuthClient
        | OAuth.TokenStore,
        Config.ConfigError,
        HttpClient.HttpClient
      >
    >()
  })

  it("refuses credentials beside auth, and an auth layer without KenarAuth", () => {
    // @ts-expect-error apiKey belongs to the auth layer
    NodeKenarClient.layer({ auth: oauth, apiKey: "k" })
    // @ts-expect-error accessToken belongs to the auth layer
    NodeKenarClient.makePromise({ auth: oauth, accessToken: "t" })
    // @ts-expect-error the layer must provide KenarAuth
    NodeKenarClient.layer({ auth: OAuth.layerMemoryStore })
    const needsDb = Layer.effect(
      KenarAuth.KenarAuth,
      Effect.map(Effect.service(Db), () => KenarAuth.make({}))
    )
    // @ts-expect-error the Promise client cannot provide what the auth layer needs besides the HttpClient
    NodeKenarClient.makePromise({ auth: needsDb })
  })
})
