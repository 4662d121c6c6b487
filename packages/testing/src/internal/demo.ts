/** Demo data for the CLI and the playground. */
import { Posts } from "@kenar/core"
import type { Demo, KenarSimulator } from "../KenarSimulator.js"

/** Every scope of the Post API, resource scopes filled for the given posts and business. */
export const allScopes = (posts: ReadonlyArray<string>, business: string): Array<string> => {
  const scopes = new Set<string>()
  for (const { definition } of Object.values(Posts.all)) {
    for (const scope of definition.scopes ?? []) {
      if (scope.includes("{post_token}")) {
        for (const post of posts) scopes.add(scope.replace("{post_token}", post))
      } else if (scope.includes("{business_token}")) scopes.add(scope.replace("{business_token}", business))
      else scopes.add(scope)
    }
  }
  return [...scopes]
}

const day = 24 * 60 * 60 * 1000

export const seedDemo = (sim: KenarSimulator): Demo => {
  const apiKey = sim.addApp({ name: "kenar-demo" })
  const oauthClient = sim.addOAuthClient({
    clientId: "kenar-demo",
    apiKey,
    redirectUris: ["http://127.0.0.1:5173/oauth/callback", "http://localhost:5173/oauth/callback"]
  })
  const user = sim.addUser({ id: "demo-user" })
  sim.oauth.user ??= user
  const business = sim.addBusiness({ name: "املاک آفتاب", type: "REAL_ESTATE", owner: user })
  const general = {
    city: "tehran",
    district: "abshar",
    latitude: 35.7152,
    longitude: 51.4043,
    location_type: "LOCATION_TYPE_APPROXIMATE",
    hide_phone: true,
    chat_enabled: true
  } as const
  const published = sim.addPost({
    owner: user,
    business,
    general_data: {
      ...general,
      title: "آپارتمان ۸۵ متری نوساز در شهرک غرب",
      description: "دو خواب، آسانسور، پارکینگ و انباری. فقط در چت پاسخگو هستم.",
      images: ["demo-1.jpg", "demo-2.jpg"]
    },
    category_data: { size: 85, rooms: "دو", price: 12_500_000_000, elevator: "دارد", parking: "دارد" }
  })
  const waiting = sim.addPost({
    owner: user,
    business,
    state: "POST_STATE_WAITING_FOR_PAYMENT",
    general_data: { ...general, title: "آپارتمان ۱۲۰ متری با ویو ابدی", description: "طبقه هفتم، سه خواب." },
    category_data: { size: 120, rooms: "سه", floor: 7 }
  })
  const review = sim.addPost({
    owner: user,
    business,
    state: "POST_STATE_WAITING_FOR_REVIEW",
    general_data: {
      ...general,
      category_slug: "light",
      title: "لوستر کریستال ۱۲ شاخه",
      description: "در حد نو."
    },
    category_data: { status: "like-new", price: 4_800_000 }
  })
  const needsEdit = sim.addPost({
    owner: user,
    business,
    state: "POST_STATE_WAITING_FOR_EDIT",
    reject_reason: "تصویر آگهی با عنوان همخوانی ندارد",
    general_data: {
      ...general,
      title: "سوئیت مبله کنار دریا",
      description: "اجاره روزانه.",
      category_slug: "temporary-suite"
    },
    category_data: { capacity: 4, daily_price: 2_500_000 }
  })
  const rejected = sim.addPost({
    owner: user,
    business,
    state: "POST_STATE_REJECTED",
    reject_reason: "آگهی تکراری است",
    general_data: { ...general, title: "آپارتمان ۶۰ متری", description: "تکراری." },
    category_data: { size: 60, rooms: "یک" }
  })
  const now = sim.now()
  for (let i = 0; i < 7; i++) {
    const date = new Date(now - i * day).toISOString().slice(0, 10)
    sim.recordStats(published, { views: 40 + 13 * i, impressions: 300 + 41 * i, chats: i % 3 }, date)
  }
  const posts = [published, waiting, review, needsEdit, rejected]
  const accessToken = sim.issueToken({
    user,
    scopes: allScopes(posts, business),
    expiresInSeconds: 30 * 24 * 60 * 60
  })
  return { apiKey, user, accessToken, business, posts, oauthClient }
}
