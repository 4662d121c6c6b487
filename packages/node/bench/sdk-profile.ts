/**
 * Runs GetUserPost through NodeKenarClient at concurrency 32 for a few
 * seconds against a server in a child process; bundle with esbuild and run
 * under `node --cpu-prof` to see where the SDK's time goes.
 */
import { spawn } from "node:child_process"
import { KenarClient, Posts } from "@kenar/core"
import { Effect } from "effect"
import { NodeKenarClient } from "../src/index.js"

const body = JSON.stringify({
  general_data: {
    title: "پراید ۱۳۹۰ تمیز",
    images: ["a.jpg", "b.jpg"],
    city: "tehran",
    location_type: "LOCATION_TYPE_APPROXIMATE"
  },
  business_data: { business_name: "نمایشگاه ونک", business_type: "CAR" },
  state: "POST_STATE_PUBLISHED"
})
const server = spawn(
  process.execPath,
  [
    "-e",
    `const b=${JSON.stringify(body)};require("node:http").createServer((q,s)=>{q.resume();q.on("end",()=>{s.writeHead(200,{"content-type":"application/json","content-length":Buffer.byteLength(b)});s.end(b)})}).listen(0,"127.0.0.1",function(){console.log(this.address().port)})`
  ],
  { stdio: ["ignore", "pipe", "inherit"] }
)
const port = await new Promise<number>((resolve) =>
  server.stdout!.once("data", (d) => resolve(Number(String(d))))
)
const seconds = Number(process.env.SECONDS ?? 4)
const layer = NodeKenarClient.layer({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "k", accessToken: "t" })
const program = Effect.gen(function* () {
  const client = yield* KenarClient.KenarClient
  let done = 0
  const end = Date.now() + seconds * 1000
  const worker = Effect.gen(function* () {
    while (Date.now() < end) {
      yield* client.call(Posts.getUserPost.definition, { token: "AaEB0vbO" })
      done++
    }
  })
  yield* Effect.all(
    Array.from({ length: Number(process.env.CONCURRENCY ?? 32) }, () => worker),
    { concurrency: "unbounded" }
  )
  return done
})
const cpu0 = process.cpuUsage()
const done = await Effect.runPromise(program.pipe(Effect.provide(layer)))
const cpu = process.cpuUsage(cpu0)
console.log(`${(done / seconds).toFixed(0)} req/s, ${((cpu.user + cpu.system) / done).toFixed(0)} µs CPU/req`)
server.kill()
