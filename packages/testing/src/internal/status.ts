/**
 * google.rpc.Status errors and JSON answers, as Kenar's gRPC gateway sends them.
 */

/** gRPC codes the simulator answers with. */
export const Code = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16
} as const

/** The gateway's usual HTTP status for a gRPC code. */
export const httpStatusOf = (code: number): number => {
  switch (code) {
    case 3:
    case 9:
    case 11:
      return 400
    case 4:
      return 504
    case 5:
      return 404
    case 6:
    case 10:
      return 409
    case 7:
      return 403
    case 8:
      return 429
    case 12:
      return 501
    case 14:
      return 503
    case 16:
      return 401
    default:
      return 500
  }
}

/** The gRPC code a bare HTTP status stands for (used by status faults). */
export const codeOfHttpStatus = (status: number): number => {
  switch (status) {
    case 400:
      return 3
    case 401:
      return 16
    case 403:
      return 7
    case 404:
      return 5
    case 409:
      return 6
    case 412:
      return 9
    case 429:
      return 8
    case 501:
      return 12
    case 502:
    case 503:
      return 14
    case 504:
      return 4
    default:
      return status >= 500 ? 13 : 2
  }
}

/** An error answer: thrown by the operation code, rendered by the handler. */
export class ApiError extends Error {
  readonly status: number
  constructor(
    readonly code: number,
    message: string,
    status?: number,
    readonly headers: Readonly<Record<string, string>> = {}
  ) {
    super(message)
    this.status = status ?? httpStatusOf(code)
  }
}

/** INVALID_ARGUMENT with the gateway's `<field>: <what>` message. */
export const invalid = (field: string, what: string): ApiError =>
  new ApiError(Code.INVALID_ARGUMENT, field === "" ? what : `${field}: ${what}`)

export const notFound = (what: string): ApiError => new ApiError(Code.NOT_FOUND, what)

const jsonHeaders = { "content-type": "application/json" }

/** A JSON answer. */
export const jsonResponse = (
  body: unknown,
  status = 200,
  headers: Readonly<Record<string, string>> = {}
): Response => new Response(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } })

/** A google.rpc.Status answer. */
export const statusResponse = (error: ApiError): Response =>
  jsonResponse({ code: error.code, message: error.message, details: [] }, error.status, error.headers)
