/** A small seeded PRNG (mulberry32): reproducible tokens and fault draws. */
export const prng = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

/** A token of `length` characters of `[_a-zA-Z0-9]`, drawn from `random`. */
export const randomToken = (random: () => number, length: number): string => {
  let token = ""
  for (let i = 0; i < length; i++) token += tokenAlphabet[Math.floor(random() * tokenAlphabet.length)]
  return token
}

/** An unguessable secret (API keys, access tokens): not from the seeded PRNG. */
export const secret = (prefix: string): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(18))
  let out = ""
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0")
  return `${prefix}${out}`
}
