/**
 * Peak memory of this process while uploading a large file with
 * NodeUploads, against the simulator running in ANOTHER process (so only the
 * client's memory is measured). The file is sparse (an MP4 header, then
 * zeros), so creating it costs no disk.
 *
 *   pnpm --filter @kenar/node bench:upload            # 1 GiB
 *   UPLOAD_MIB=256 pnpm --filter @kenar/node bench:upload
 */
import { spawn } from "node:child_process"
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { NodeKenarClient, NodeUploads } from "../src/index.js"

const MiB = 1024 * 1024
const size = Number(process.env.UPLOAD_MIB ?? 1024) * MiB
const dir = mkdtempSync(join(tmpdir(), "kenar-upload-bench-"))
const file = join(dir, "big.mp4")
const fd = openSync(file, "w")
// ftyp box: what the simulator (and the SDK's sniffing) recognise as MP4
writeSync(
  fd,
  Buffer.from([
    0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 0, 0, 0x69, 0x73, 0x6f, 0x6d, 0x6d,
    0x70, 0x34, 0x31
  ])
)
ftruncateSync(fd, size)
closeSync(fd)

const bin = fileURLToPath(new URL("../../testing/src/bin.ts", import.meta.url))
const simulator = spawn(
  process.execPath,
  ["--import", "tsx", "--conditions=@kenar/source", bin, "--port", "0", "--rate-limit", "0"],
  {
    cwd: fileURLToPath(new URL("../../testing/", import.meta.url)),
    stdio: ["ignore", "pipe", "inherit"]
  }
)
let banner = ""
const { url, apiKey } = await new Promise<{ url: string; apiKey: string }>((resolve, reject) => {
  simulator.stdout!.on("data", (chunk) => {
    banner += String(chunk)
    const url = /listening on (\S+)/.exec(banner)?.[1]
    const apiKey = /API key \(x-api-key\):\s+(\S+)/.exec(banner)?.[1]
    if (url && apiKey) resolve({ url, apiKey })
  })
  simulator.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)))
})

try {
  global.gc?.()
  const before = process.memoryUsage()
  let peak = { rss: before.rss, arrayBuffers: before.arrayBuffers, heapUsed: before.heapUsed }
  const sample = () => {
    const now = process.memoryUsage()
    peak = {
      rss: Math.max(peak.rss, now.rss),
      arrayBuffers: Math.max(peak.arrayBuffers, now.arrayBuffers),
      heapUsed: Math.max(peak.heapUsed, now.heapUsed)
    }
  }
  const timer = setInterval(sample, 10)
  const started = performance.now()
  const result = await Effect.runPromise(
    NodeUploads.uploadVideo(file, { onProgress: sample }).pipe(
      Effect.provide(NodeKenarClient.layer({ baseUrl: url, apiKey }))
    )
  )
  clearInterval(timer)
  const seconds = (performance.now() - started) / 1000
  const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`
  console.log(
    `uploaded ${mib(size)} in ${seconds.toFixed(2)} s (${(size / MiB / seconds).toFixed(0)} MiB/s) as ${result.video_name}`
  )
  console.log(`| measure | before | peak | above baseline |`)
  console.log(`|---|---:|---:|---:|`)
  console.log(`| rss | ${mib(before.rss)} | ${mib(peak.rss)} | ${mib(peak.rss - before.rss)} |`)
  console.log(
    `| arrayBuffers | ${mib(before.arrayBuffers)} | ${mib(peak.arrayBuffers)} | ${mib(peak.arrayBuffers - before.arrayBuffers)} |`
  )
  console.log(
    `| heapUsed | ${mib(before.heapUsed)} | ${mib(peak.heapUsed)} | ${mib(peak.heapUsed - before.heapUsed)} |`
  )
  console.log(
    `target: rss under 64 MiB above baseline: ${peak.rss - before.rss < 64 * MiB ? "met" : "NOT met"}`
  )
} finally {
  simulator.kill()
  rmSync(dir, { recursive: true, force: true })
}
