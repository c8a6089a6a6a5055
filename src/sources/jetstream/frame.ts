/**
 * What a raw Jetstream frame says before it is parsed. Only a new post that can inherit no topic (no reply,
 * no quote) and whose text needs no unusual unescaping is read this way: its words, roughly unescaped, for a
 * quick scan. Anything else (edits, deletes, replies and quotes, text escaped beyond the usual) is null:
 * it goes through the full parse.
 */
export function plainNewPostText(frame: string): string | null {
  if (!frame.includes('"operation":"create"') || !frame.includes('"collection":"app.bsky.feed.post"')) return null
  if (frame.includes('"reply":') || frame.includes('app.bsky.embed.record')) return null
  // JSON escapes: newlines and tabs separate words; Go escapes <, > and & as \u003c etc. Anything else
  // escaped (a producer that escapes all non-ASCII) cannot be scanned safely.
  if (/\\u(?!00(?:3[ce]|26))[0-9a-fA-F]{4}/.test(frame)) return null
  return frame
    .replace(/\\[nrt]/g, ' ')
    .replace(/\\u003c/g, '<')
    .replace(/\\u003e/g, '>')
    .replace(/\\u0026/g, '&')
    .replace(/\\(["\\/])/g, '$1')
}

/** The event time of a raw frame, without parsing it. */
export function frameTimeUs(frame: string): number | null {
  const m = /"time_us":(\d{10,20})/.exec(frame)
  return m ? Number(m[1]) : null
}
