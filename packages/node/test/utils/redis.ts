/**
 * A throwaway redis-server for tests: 127.0.0.1, a free port, no persistence
 * (`--save "" --appendonly no`), stopped by `stop()`. `available` is false
 * when redis-server is not installed (tests then skip outside CI and fail in CI).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as net from "node:net"

export const redisServerPath = (): string | undefined => {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || undefined
  } catch {
    return undefined
  }
}

export interface RedisServer {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const waitReady = (child: ChildProcess, timeoutMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    let output = ""
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`redis-server did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Ready to accept connections")) {
        cleanup()
        resolve()
      }
    }
    const onExit = (code: number | null) => {
      cleanup()
      reject(new Error(`redis-server exited (${code}):\n${output}`))
    }
    const cleanup = () => {
      clearTimeout(timer)
      child.stdout?.off("data", onData)
      child.off("exit", onExit)
    }
    child.stdout?.on("data", onData)
    child.once("exit", onExit)
  })

/** Starts redis-server on a free port (a few tries, in case another process takes the port first). */
export const startRedis = async (binary = redisServerPath() ?? "redis-server"): Promise<RedisServer> => {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--loglevel",
        "notice"
      ],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    try {
      await waitReady(child, 10_000)
    } catch (error) {
      lastError = error
      child.kill("SIGKILL")
      continue
    }
    child.stdout?.resume()
    child.stderr?.resume()
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          const timer = setTimeout(() => child.kill("SIGKILL"), 3000)
          child.once("exit", () => {
            clearTimeout(timer)
            resolve()
          })
          child.kill("SIGTERM")
        })
    }
  }
  throw lastError
}
