/*
 * The hand-written in-domain sets (bench/data/in-domain*.jsonl) and how the stance benches split them: the same
 * posts, the same held-out thirds and the same random draws in learning-curve.bench.ts and assistant.bench.ts.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { evaluate } from '../src/classify/metrics.js'
import type { Example } from '../src/classify/stance-model.js'
import { stratifiedFolds } from '../src/classify/training.js'

export const LABELS = ['concern', 'praise', 'neutral']
export const SEEDS = path.join(import.meta.dirname, '../config/seeds/china-ai-fund.jsonl')

/**
 * Two sets: the first written by the hand that wrote the seeds (seeds alone reach ~0.82), the second written
 * blind, by a writer who never saw the seeds or the first set (harder: ~0.70, like real posts).
 */
export const IN_DOMAIN_SETS = (process.env.LEARNING_CURVE_DATA?.split(',') ?? ['data/in-domain.jsonl', 'data/in-domain-blind.jsonl']).map((f) =>
  path.join(import.meta.dirname, f),
)

export interface Row extends Example {
  id: string
  lang: string
  copy_of?: string
}

export function readRows(file: string): Row[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row)
}

/** Split `rep` of a set: a held-out third (stratified by language and label, seeded) and the pool people could label. */
export function split(rows: readonly Row[], rep: number): { test: Row[]; pool: Row[] } {
  const strata = rows.map((r) => `${r.lang}/${r.label}`)
  const keys = [...new Set(strata)]
  const fold = stratifiedFolds(
    strata.map((s) => keys.indexOf(s)),
    keys.length,
    3,
    2025 + rep,
  )
  return { test: rows.filter((_, i) => fold[i] === 0), pool: rows.filter((_, i) => fold[i] !== 0) }
}

export function macroF1(predict: (text: string) => { label: string }, test: readonly Row[]): number {
  return evaluate(
    test.map((r) => r.label),
    test.map((r) => predict(r.text).label),
    LABELS,
  ).macro_f1
}

/** A seeded shuffle (LCG), so each repetition is the same on every run. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs]
  let s = seed >>> 0
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const j = Math.floor((s / 4294967296) * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Labels chosen at random for split `rep`, draw `draw`: the first `n` of a seeded shuffle of the pool. */
export const randomLabels = (pool: readonly Row[], rep: number, draw: number, n: number): Row[] => shuffled(pool, 100 + rep + 1000 * draw).slice(0, n)
