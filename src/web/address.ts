/** Where the dashboard listens unless told otherwise: loopback only, a fixed port people can bookmark. */
export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'

/** The URL people open: an IPv6 address in brackets. */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}
