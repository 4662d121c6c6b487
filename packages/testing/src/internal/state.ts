/**
 * The simulator's in-memory world: apps, users, businesses, posts, buttons,
 * stats, uploads and access tokens, plus the moves of a post's life cycle.
 */
import type {
  BusinessType,
  CategorySchema,
  CustomizedButton,
  GeneralData,
  Post,
  PostState,
  Stats
} from "../KenarSimulator.js"
import { checkCategoryFields } from "./categories.js"
import { prng, randomToken, secret } from "./random.js"

export interface App {
  readonly apiKey: string
  readonly name: string
  readonly perMinute: number | undefined
  readonly perDay: number | undefined
}

export interface User {
  readonly id: string
  canSubmit: boolean
}

export interface Business {
  readonly token: string
  readonly name: string
  readonly type: BusinessType
  readonly owner: string
  readonly members: Set<string>
  button: CustomizedButton | undefined
}

export interface PostRecord {
  readonly token: string
  readonly owner: string
  readonly business: string | undefined
  general: GeneralData
  category: Record<string, unknown>
  state: PostState
  rejectReason: string
  readonly createdAt: number
  publishedAt: number | undefined
  expiresAt: number | undefined
  readonly submittedBy: "user" | "provider"
  readonly landlineNumbers: ReadonlyArray<string>
  button: CustomizedButton | undefined
  /** Day (`YYYY-MM-DD`) -> counts. */
  readonly stats: Map<string, Stats>
}

export interface Grant {
  readonly user: string
  readonly scopes: ReadonlySet<string>
  readonly expiresAt: number
  /** The OAuth client it was issued to through `/oauth2/token` (none for `issueToken`). */
  readonly clientId?: string
  /** The authorization (code) it stems from: revoked together. */
  readonly family?: string
}

export interface ImageUpload {
  readonly path: string
  readonly contentType: string
  readonly bytes: number
  readonly hash: string
}

export interface VideoUpload {
  readonly name: string
  readonly thumbnailName: string
  readonly bytes: number
  readonly hash: string
}

const day = 24 * 60 * 60 * 1000

/** `YYYY-MM-DD` (UTC) of a time in milliseconds. */
export const dateOf = (millis: number): string => new Date(millis).toISOString().slice(0, 10)

const editableStates: ReadonlySet<PostState> = new Set([
  "POST_STATE_IN_PUBLISH_QUEUE",
  "POST_STATE_PUBLISHED",
  "POST_STATE_WAITING_FOR_EDIT",
  "POST_STATE_WAITING_FOR_PAYMENT",
  "POST_STATE_WAITING_FOR_REVIEW",
  "POST_STATE_PUBLISHED_AND_EDIT_REJECTED"
])

export class World {
  readonly apps = new Map<string, App>()
  readonly users = new Map<string, User>()
  readonly businesses = new Map<string, Business>()
  readonly posts = new Map<string, PostRecord>()
  readonly grants = new Map<string, Grant>()
  readonly images = new Map<string, ImageUpload>()
  readonly videos = new Map<string, VideoUpload>()
  /** Deprecated v1 upload URLs: id -> issue time. */
  readonly v1Uploads = new Map<string, number>()
  private readonly random: () => number

  constructor(
    readonly now: () => number,
    readonly categories: Readonly<Record<string, CategorySchema>>,
    readonly postLifetimeMillis: number,
    seed: number
  ) {
    this.random = prng(seed)
  }

  /** A fresh token of `[_a-zA-Z0-9]`, 8 or 9 characters for posts. */
  newToken(taken: ReadonlyMap<string, unknown>, length = this.random() < 0.5 ? 8 : 9): string {
    for (;;) {
      const token = randomToken(this.random, length)
      if (!taken.has(token)) return token
    }
  }

  /** A fresh id for uploads (hex, from the seeded PRNG: reproducible). */
  newId(): string {
    let id = ""
    for (let i = 0; i < 4; i++)
      id += Math.floor(this.random() * 0x100000000)
        .toString(16)
        .padStart(8, "0")
    return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`
  }

  addApp(options: { apiKey?: string; name?: string; perMinute?: number; perDay?: number }): App {
    const app: App = {
      apiKey: options.apiKey ?? secret("sim_"),
      name: options.name ?? `app-${this.apps.size + 1}`,
      perMinute: options.perMinute,
      perDay: options.perDay
    }
    this.apps.set(app.apiKey, app)
    return app
  }

  addUser(options: { id?: string; canSubmit?: boolean }): User {
    const id = options.id ?? `user-${this.users.size + 1}`
    if (this.users.has(id)) throw new Error(`KenarSimulator: user '${id}' already exists`)
    const user: User = { id, canSubmit: options.canSubmit ?? true }
    this.users.set(id, user)
    return user
  }

  user(id: string): User {
    const user = this.users.get(id)
    if (user === undefined) throw new Error(`KenarSimulator: unknown user '${id}'`)
    return user
  }

  addBusiness(options: {
    token?: string
    name: string
    type?: BusinessType
    owner: string
    members?: ReadonlyArray<string>
  }): Business {
    this.user(options.owner)
    for (const member of options.members ?? []) this.user(member)
    const token = options.token ?? this.newToken(this.businesses, 9)
    if (this.businesses.has(token)) throw new Error(`KenarSimulator: business '${token}' already exists`)
    const business: Business = {
      token,
      name: options.name,
      type: options.type ?? "REAL_ESTATE",
      owner: options.owner,
      members: new Set([options.owner, ...(options.members ?? [])]),
      button: undefined
    }
    this.businesses.set(token, business)
    return business
  }

  issueToken(options: { user: string; scopes: ReadonlyArray<string>; expiresInSeconds?: number }): string {
    this.user(options.user)
    const token = secret("sim_at_")
    this.grants.set(token, {
      user: options.user,
      scopes: new Set(options.scopes),
      expiresAt: this.now() + (options.expiresInSeconds ?? 3600) * 1000
    })
    return token
  }

  /** Creates a post in POST_STATE_WAITING_FOR_PAYMENT (or `state`). */
  createPost(options: {
    owner: string
    business: string | undefined
    general: GeneralData
    category: Record<string, unknown>
    submittedBy: "user" | "provider"
    landlineNumbers?: ReadonlyArray<string>
    token?: string
  }): PostRecord {
    const token = options.token ?? this.newToken(this.posts)
    if (this.posts.has(token)) throw new Error(`KenarSimulator: post '${token}' already exists`)
    const post: PostRecord = {
      token,
      owner: options.owner,
      business: options.business,
      general: options.general,
      category: options.category,
      state: "POST_STATE_WAITING_FOR_PAYMENT",
      rejectReason: "",
      createdAt: this.now(),
      publishedAt: undefined,
      expiresAt: undefined,
      submittedBy: options.submittedBy,
      landlineNumbers: options.landlineNumbers ?? [],
      button: undefined,
      stats: new Map()
    }
    this.posts.set(token, post)
    return post
  }

  /** The post, with expiry applied: a published post past its expiry is retired. */
  post(token: string): PostRecord | undefined {
    const post = this.posts.get(token)
    if (
      post?.state === "POST_STATE_PUBLISHED" &&
      post.expiresAt !== undefined &&
      this.now() >= post.expiresAt
    ) {
      post.state = "POST_STATE_RETIRED"
    }
    return post
  }

  /** The post for a test helper: throws on an unknown token. */
  postOrThrow(token: string): PostRecord {
    const post = this.post(token)
    if (post === undefined) throw new Error(`KenarSimulator: unknown post '${token}'`)
    return post
  }

  /** Whether edits and buttons are accepted: not deleted, retired, expired or rejected. */
  isEditable(post: PostRecord): boolean {
    return editableStates.has(post.state) && (post.expiresAt === undefined || this.now() < post.expiresAt)
  }

  move(token: string, to: PostState, from: ReadonlyArray<PostState> | "any", reason = ""): void {
    const post = this.postOrThrow(token)
    if (from !== "any" && !from.includes(post.state)) {
      throw new Error(`KenarSimulator: cannot move post '${token}' from ${post.state} to ${to}`)
    }
    post.state = to
    post.rejectReason = reason
    if (to === "POST_STATE_PUBLISHED" && post.publishedAt === undefined) {
      post.publishedAt = this.now()
      post.expiresAt = this.now() + this.postLifetimeMillis
    }
    if (to === "POST_STATE_RETIRED" && (post.expiresAt === undefined || post.expiresAt > this.now())) {
      post.expiresAt = this.now()
    }
  }

  recordStats(token: string, counts: Partial<Stats>, date: string): void {
    const post = this.postOrThrow(token)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new Error(`KenarSimulator: expected a YYYY-MM-DD date, got '${date}'`)
    }
    const stats = post.stats.get(date) ?? { views: 0, impressions: 0, chats: 0 }
    post.stats.set(date, {
      views: stats.views + (counts.views ?? 0),
      impressions: stats.impressions + (counts.impressions ?? 0),
      chats: stats.chats + (counts.chats ?? 0)
    })
  }

  /** The last 7 days (oldest first, today last) of a post's stats, and all-time totals. */
  statsOf(post: PostRecord): {
    readonly days: ReadonlyArray<readonly [string, Stats]>
    readonly total: Stats
  } {
    const days = Array.from({ length: 7 }, (_, i) => {
      const date = dateOf(this.now() - (6 - i) * day)
      return [date, post.stats.get(date) ?? { views: 0, impressions: 0, chats: 0 }] as const
    })
    const total = { views: 0, impressions: 0, chats: 0 }
    for (const stats of post.stats.values()) {
      total.views += stats.views
      total.impressions += stats.impressions
      total.chats += stats.chats
    }
    return { days, total }
  }

  checkCategory(slug: string, fields: Readonly<Record<string, unknown>>, prefix: string): CategorySchema {
    const schema = this.categories[slug]
    if (schema === undefined) throw new Error(`unknown category '${slug}'`)
    checkCategoryFields(slug, schema, fields, prefix)
    return schema
  }

  snapshot(post: PostRecord): Post {
    return structuredClone({
      token: post.token,
      owner: post.owner,
      business: post.business,
      general_data: post.general,
      category_data: post.category,
      state: post.state,
      reject_reason: post.rejectReason,
      landline_numbers: post.landlineNumbers,
      customized_button: post.button,
      submittedBy: post.submittedBy,
      createdAt: post.createdAt,
      publishedAt: post.publishedAt,
      expiresAt: post.expiresAt
    })
  }
}
