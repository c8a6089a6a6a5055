/** X ids (snowflakes) carry their creation time: milliseconds since this epoch, shifted left 22 bits. */
export const TWITTER_EPOCH_MS = 1288834974657

/** When an X post was created, from its id alone; null for ids from before snowflakes (2010), which carry no time. */
export function snowflakeMs(id: string): number | null {
  try {
    const ms = Number((BigInt(id) >> 22n) + BigInt(TWITTER_EPOCH_MS))
    return ms > TWITTER_EPOCH_MS + 1000 ? ms : null
  } catch {
    return null
  }
}
