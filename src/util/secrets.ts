/** Secret values known at run time; any log line containing one has it replaced. */
const secretValues = new Set<string>()

export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < 4) return
  secretValues.add(value)
  // Inside a JSON log line a quote, backslash or control character is escaped: that form must go too.
  secretValues.add(JSON.stringify(value).slice(1, -1))
}

/** Replace every registered secret in a string; used for logs and anything else that leaves the process. */
export function scrubSecrets(text: string): string {
  let out = text
  for (const s of secretValues) if (out.includes(s)) out = out.split(s).join('[REDACTED]')
  return out
}
