import { z } from 'zod'
import { MAX_REASON_CHARS, UNSURE } from './assistant-prompt.js'

/** One answer read: a label, unsure, or why it could not be used. */
export type ParsedAnswer =
  { kind: 'label'; label: string; confidence: number | null; reason: string } | { kind: 'unsure'; reason: string } | { kind: 'malformed'; why: string }

const answerSchema = z.object({
  label: z.string().trim().min(1),
  // Some models write the confidence as a string, or leave it out: kept when it reads as a number in 0..1.
  confidence: z.union([z.number(), z.string(), z.null()]).optional(),
  reason: z.string().optional(),
})

/**
 * Read the assistant's message: JSON (a fenced block accepted, as some local models add one) with a label the
 * topic defines or "unsure". Anything else is malformed: counted by the caller, never stored.
 */
export function parseAnswer(content: string, labels: readonly string[]): ParsedAnswer {
  let json: unknown
  try {
    json = JSON.parse(unfence(content))
  } catch {
    return { kind: 'malformed', why: 'not JSON' }
  }
  const r = answerSchema.safeParse(json)
  if (!r.success) return { kind: 'malformed', why: 'not {label, confidence, reason}' }
  const reason = (r.data.reason ?? '').trim().slice(0, MAX_REASON_CHARS)
  const given = r.data.label.toLowerCase()
  if (given === UNSURE) return { kind: 'unsure', reason }
  const label = labels.find((l) => l.toLowerCase() === given)
  if (!label) return { kind: 'malformed', why: `unknown label ${JSON.stringify(r.data.label.slice(0, 40))}` }
  return { kind: 'label', label, confidence: confidenceOf(r.data.confidence), reason }
}

function confidenceOf(v: number | string | null | undefined): number | null {
  const n = typeof v === 'string' ? Number(v) : v
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : null
}

function unfence(s: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(s)
  return m ? m[1]! : s
}
