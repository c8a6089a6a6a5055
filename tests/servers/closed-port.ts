import net from 'node:net'
import type { AddressInfo } from 'node:net'

/** A loopback port nothing listens on (bound, noted, closed): connecting to it is refused at once. */
export async function closedLoopbackPort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}
