/**
 * Identifiers as X and Bluesky make them, for synthetic data: the bundled sample (tools/sample/) and the
 * test servers' datasets (tests/servers/) build theirs here, so both stay valid the same way.
 */
import { createHash } from 'node:crypto'
import { TWITTER_EPOCH_MS } from '../../src/domain/x-ids.js'

/** An X snowflake id for a post created at `ms`: milliseconds since X's epoch, then a 22-bit sequence. */
export function snowflakeFromMs(ms: number, seq = 0): string {
  return (((BigInt(Math.floor(ms)) - BigInt(TWITTER_EPOCH_MS)) << 22n) | BigInt(seq & 0x3fffff)).toString()
}

/** The creation time (ms) an X snowflake id carries. */
export function msFromSnowflake(id: string): number {
  return Number((BigInt(id) >> 22n) + BigInt(TWITTER_EPOCH_MS))
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
/** atproto's base32 for TIDs: digits first, so that keys sort as their times do. */
const SORTABLE_BASE32 = '234567abcdefghijklmnopqrstuvwxyz'

/** An atproto TID (record key, repo revision): microseconds since 1970 and a clock id (0–1023), 13 characters. */
export function tid(us: number, clock = 0): string {
  let v = (BigInt(Math.floor(us)) << 10n) | BigInt(clock & 1023)
  let out = ''
  for (let i = 0; i < 13; i++) {
    out = SORTABLE_BASE32[Number(v & 31n)] + out
    v >>= 5n
  }
  return out
}

/** The microseconds a TID carries, or null when the key is not a TID. */
export function tidMicros(key: string): number | null {
  if (!/^[234567a-z]{13}$/.test(key)) return null
  let n = 0n
  for (const ch of key.slice(0, 11)) n = n * 32n + BigInt(SORTABLE_BASE32.indexOf(ch))
  return Number(n)
}

/** `did:plc:` and 24 base32 characters drawn from `random`. */
export function didPlc(random: () => number): string {
  let s = ''
  for (let i = 0; i < 24; i++) s += BASE32[Math.floor(random() * 32)]
  return `did:plc:${s}`
}

/** A CIDv1 as Bluesky records carry (dag-cbor, sha2-256: `bafyrei…`), hashed over the content given. */
export function cidFor(content: string | Uint8Array): string {
  const digest = createHash('sha256').update(content).digest()
  return `b${base32(Uint8Array.from([0x01, 0x71, 0x12, 0x20, ...digest]))}`
}

/** RFC 4648 base32, lower case, unpadded: the multibase `b` prefix's alphabet. */
function base32(bytes: Uint8Array): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}
