/**
 * The README's operation table is derived from the operation definitions:
 * this test rebuilds it and fails (printing the right table) when they differ.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Posts } from "../src/index.js"

const operationsTable = (): string => {
  const rows = Object.values(Posts.all).map(({ definition: d }) => {
    const oauth = d.scopes === undefined ? "" : ` + OAuth ${d.scopes.map((s) => `\`${s}\``).join(" or ")}`
    const retry = d.retry === "idempotent" ? "yes" : "only if not sent, or 429"
    return `| \`${d.name}\` | \`${d.officialName}\` | \`${d.method} ${d.path}\` | \`${d.permission}\`${oauth} | ${retry} |${d.deprecated ? " deprecated" : ""} |`
  })
  return [
    "| SDK | official client | method and path | API key permission + OAuth scope | retried | |",
    "|---|---|---|---|---|---|",
    ...rows
  ].join("\n")
}

/** Table rows with cell padding removed, so a Markdown formatter's alignment does not matter. */
const normalize = (markdown: string): string =>
  markdown
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) =>
      line
        .split("|")
        .map((cell) => cell.trim())
        .map((cell) => (/^-+$/.test(cell) ? "---" : cell))
        .join("|")
    )
    .join("\n")

describe("README", () => {
  it("shows the operation table derived from the definitions", () => {
    const readme = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8")
    const table = operationsTable()
    if (process.env.PRINT_TABLE) console.log(table)
    expect(normalize(readme).includes(normalize(table)), `README.md must contain:\n\n${table}\n`).toBe(true)
  })
})
