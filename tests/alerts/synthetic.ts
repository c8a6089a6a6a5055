import type { AppContext } from '../../src/context.js'
import type { Platform } from '../../src/domain/post.js'
import { recordGap, markGapRepaired } from '../../src/store/gaps.js'
import { savePage, type PostToStore } from '../../src/store/posts.js'
import { startCollectorRun } from '../../src/store/runs.js'
import { countToClassify, postsToClassify, saveClassifications, type ClassifyPosition } from '../../src/store/classifications.js'
import { saveActiveModel } from '../../src/store/models.js'
import { seededRandom } from '../../tools/synthetic/random.js'
import { makePost } from '../post.js'

/*
 * Synthetic post series for the alert rules, written through the store as the collectors would: a daily
 * rhythm (and optionally quieter weekends), over-dispersed counts, injected spikes, one collection gap.
 */

export const TOPIC = 'china-ai-fund'
export const HOUR = 3_600_000
export const DAY = 24 * HOUR

export const rng = seededRandom

function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(random)))
  const l = Math.exp(-mean)
  let k = 0
  let p = 1
  do {
    k++
    p *= random()
  } while (p > l)
  return k - 1
}

function gauss(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape ≥ 1). */
function gamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = gauss(random)
      v = 1 + c * x
    } while (v <= 0)
    v = v ** 3
    const u = random()
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
  }
}

export interface Spike {
  start: number
  end: number
  multiplier: number
}

export interface SeriesSpec {
  seed: number
  start: number
  days: number
  /** Posts per hour at the busiest hour of an ordinary day, and at the quietest. */
  peakRate: number
  troughRate: number
  /** Hour of day (UTC) of the busiest hour. */
  peakHourUtc?: number
  /** Saturdays and Sundays (UTC) get this factor (1: no weekly rhythm). */
  weekendFactor?: number
  /** Day-to-day level wander (sd of the log). */
  dayNoise?: number
  /** Gamma-Poisson shape of the hourly counts (smaller: more over-dispersed). */
  shape?: number
  spikes: number
  spikeMultiplier?: [number, number]
  spikeHours?: [number, number]
  /** First day a spike may start (the rules need a few days of history). */
  firstSpikeDay?: number
  /** `recorded: false`: an outage nobody noticed (no coverage gap stored). */
  gap?: { hours: number; source: 'x' | 'jetstream' | 'all'; backlog: boolean; recorded?: boolean }
  /** Share of posts on X (the rest on Bluesky). */
  xShare?: number
  /** Bluesky collection starts this many days in (a platform added later). */
  blueskyFromDay?: number
}

export interface GeneratedSeries {
  spikes: Spike[]
  gap: { start: number; end: number } | null
  posts: number
  end: number
}

/** The rate shape of a day: a smooth bump from `trough` at night to `peak` in the afternoon. */
export function rateAt(t: number, spec: SeriesSpec): number {
  const hourOfDay = (((t % DAY) + DAY) % DAY) / HOUR
  const peak = spec.peakHourUtc ?? 18
  const x = (1 + Math.cos(((hourOfDay - peak) / 24) * 2 * Math.PI)) / 2
  const weekday = new Date(t).getUTCDay()
  const week = weekday === 0 || weekday === 6 ? (spec.weekendFactor ?? 1) : 1
  return (spec.troughRate + (spec.peakRate - spec.troughRate) * x ** 2) * week
}

const WORDS =
  'state fund startups beijing chips nvidia h20 deepseek models talent market capital policy investors subsidies engineers labs growth security export'.split(
    ' ',
  )
const BURST = ['#H20ban', 'sanctions', 'shipments', 'blocked']

/**
 * Write the series. Posts are collected by a poller every 15 minutes (their collection time is the next
 * quarter hour); in a gap nothing is collected, and with `backlog` the gap's posts arrive all at once after it.
 */
export function generateSeries(ctx: AppContext, spec: SeriesSpec): GeneratedSeries {
  const random = rng(spec.seed)
  const end = spec.start + spec.days * DAY
  const spikes = placeSpikes(spec, random)
  const gap = spec.gap ? placeGap(spec, spikes, random) : null
  startCollectorRun(ctx.db, 'x', [], spec.start - HOUR)
  const dayLevel: number[] = []
  for (let d = 0; d < spec.days; d++) dayLevel.push(Math.exp((spec.dayNoise ?? 0.1) * gauss(random)))
  const pages = new Map<number, PostToStore[]>()
  const shape = spec.shape ?? 20
  let n = 0
  const slot = 10 * 60_000
  for (let t = spec.start; t < end; t += slot) {
    let mean = (rateAt(t, spec) / 6) * dayLevel[Math.floor((t - spec.start) / DAY)]!
    const spike = spikes.find((s) => t + slot / 2 >= s.start && t + slot / 2 < s.end)
    if (spike) mean *= spike.multiplier
    const count = poisson(mean * (gamma(shape, random) / shape), random)
    for (let i = 0; i < count; i++) {
      const created = t + Math.floor(random() * slot)
      const platform: Platform = random() < (spec.xShare ?? 0.6) ? 'x' : 'bluesky'
      if (platform === 'bluesky' && created < spec.start + (spec.blueskyFromDay ?? 0) * DAY) continue
      let seen = Math.ceil((created + 60_000) / (15 * 60_000)) * 15 * 60_000
      if (gap && created >= gap.start - 15 * 60_000 && seen > gap.start && seen <= gap.end + 15 * 60_000) {
        const affected = spec.gap!.source === 'all' || (spec.gap!.source === 'x') === (platform === 'x')
        if (affected) {
          if (!spec.gap!.backlog && created >= gap.start && created < gap.end) continue
          seen = Math.max(seen, gap.end + 30 * 60_000)
        }
      }
      const words = Array.from({ length: 6 }, () => WORDS[Math.floor(random() * WORDS.length)]!)
      if (spike && random() < 0.6) words.push(BURST[Math.floor(random() * BURST.length)]!)
      n++
      const item = postItem(spec.seed, n, platform, created, words.join(' '), random)
      const page = pages.get(seen) ?? []
      page.push(item)
      pages.set(seen, page)
    }
  }
  for (const [seen, items] of [...pages].sort((a, b) => a[0] - b[0])) savePage(ctx.db, { items, source: 'x', query: 'synthetic', observedAt: seen })
  if (gap && spec.gap!.recorded !== false) {
    for (const source of spec.gap!.source === 'all' ? ['x', 'jetstream'] : [spec.gap!.source]) {
      const id = recordGap(ctx.db, { source, startAt: gap.start, endAt: gap.end, reason: 'synthetic outage' }, gap.end)
      if (spec.gap!.backlog) markGapRepaired(ctx.db, id, gap.end + 30 * 60_000)
    }
  }
  return { spikes, gap, posts: n, end }
}

function postItem(seed: number, n: number, platform: Platform, created: number, text: string, random: () => number): PostToStore {
  const id = `${seed}${String(n).padStart(7, '0')}`
  const author = `user${Math.floor(random() * 400)}`
  const post = makePost({
    platform,
    platformId: platform === 'x' ? id : `at://did:plc:${author}/app.bsky.feed.post/${id}`,
    url: platform === 'x' ? `https://x.com/${author}/status/${id}` : `https://bsky.app/profile/${author}.bsky.social/post/${id}`,
    author: { id: `id-${author}`, handle: author, name: author, followers: 100 },
    text,
    lang: 'en',
    createdAt: new Date(created).toISOString(),
    metrics: { likes: Math.floor(random() * 20), reposts: Math.floor(random() * 5), replies: 0, quotes: 0 },
  })
  return { post, langDetected: 'en', links: [], matches: [{ topicId: TOPIC, rules: [random() < 0.2 ? 'article' : 'keyword:fund-en'] }] }
}

function placeSpikes(spec: SeriesSpec, random: () => number): Spike[] {
  const [lo, hi] = spec.spikeMultiplier ?? [3, 6]
  const [hLo, hHi] = spec.spikeHours ?? [2, 3]
  const spikes: Spike[] = []
  const first = spec.start + (spec.firstSpikeDay ?? 4) * DAY
  const last = spec.start + spec.days * DAY - 6 * HOUR
  while (spikes.length < spec.spikes) {
    // Any minute of the day: spikes do not wait for the hour.
    const start = first + Math.floor((random() * (last - first)) / 60_000) * 60_000
    const hours = hLo + random() * (hHi - hLo)
    const s = { start, end: start + Math.round(hours * 60) * 60_000, multiplier: lo + random() * (hi - lo) }
    if (spikes.some((o) => Math.abs(o.start - s.start) < 2 * DAY)) continue
    spikes.push(s)
  }
  return spikes.sort((a, b) => a.start - b.start)
}

function placeGap(spec: SeriesSpec, spikes: readonly Spike[], random: () => number): { start: number; end: number } {
  const hours = spec.gap!.hours
  for (;;) {
    const start = spec.start + 4 * DAY + Math.floor(random() * (spec.days - 6) * 24) * HOUR
    const g = { start, end: start + hours * HOUR }
    if (spikes.some((s) => s.end > g.start - DAY && s.start < g.end + 2 * DAY)) continue
    return g
  }
}

/**
 * Label every post (or the oldest `share` of them, as a re-scoring halfway through would) with a new model
 * that becomes the active one: `labelOf(time, random)` decides each label. Returns the model id.
 */
export function labelPosts(ctx: AppContext, seed: number, labelOf: (t: number, random: () => number) => string, opts: { share?: number } = {}): number {
  const random = rng(seed)
  const modelId = saveActiveModel(ctx.db, {
    topicId: TOPIC,
    version: `${TOPIC}@synthetic-${seed}-${Date.now()}-${Math.random()}`,
    algorithm: 'synthetic',
    params: '{}',
    metrics: null,
    trainingSize: 0,
    trainedAt: 0,
    weights: Buffer.alloc(0),
  })
  const total = countToClassify(ctx.db, TOPIC, modelId)
  const limit = Math.floor(total * (opts.share ?? 1))
  let after: ClassifyPosition = { createdAt: Number.MIN_SAFE_INTEGER, postId: 0 }
  let done = 0
  while (done < limit) {
    const batch = postsToClassify(ctx.db, TOPIC, modelId, after, Math.min(2000, limit - done))
    if (!batch.length) break
    saveClassifications(
      ctx.db,
      TOPIC,
      modelId,
      batch.map((p) => ({ postId: p.postId, createdAt: p.createdAt, label: labelOf(p.createdAt, random), confidence: 0.9, scores: {} })),
      0,
    )
    done += batch.length
    after = { createdAt: batch.at(-1)!.createdAt, postId: batch.at(-1)!.postId }
  }
  return modelId
}

/** Draw a label from shares that add up to at most 1 (the rest: uncertain). */
export function draw(shares: Record<string, number>, random: () => number): string {
  let x = random()
  for (const [label, p] of Object.entries(shares)) {
    if (x < p) return label
    x -= p
  }
  return 'uncertain'
}
