import type { Db } from './db.js'
import { SLOT_MS } from './stance.js'
import { stmt } from './statements.js'

type SlotRow = [topicId: string, slot: number, platform: string, lang: string, n: number]
type ThemeSlotRow = [topicId: string, theme: string, slot: number, platform: string, lang: string, n: number]

/**
 * The stance aggregates' share of a page of new posts, counted here and written once per page instead of
 * by the insert trigger row by row (migration 0009; the trigger's json_each over each row's themes cost as
 * much as inserting the post). Only fresh memberships are counted this way: they have no label yet
 * ('unclassified', not human) and their post exists and is not deleted. While a batch is open the trigger
 * skips post_topics inserts in this transaction, so every membership inserted meanwhile must be added
 * here; close it before anything else changes the counts.
 */
export class StanceCountBatch {
  private readonly slots = new Map<string, SlotRow>()
  private readonly themes = new Map<string, ThemeSlotRow>()

  private constructor(private readonly db: Db) {}

  /**
   * Start counting for the current transaction (the caller must be inside one). Null on a database whose
   * schema predates the aggregates (a test or benchmark that stopped its migrations early): nothing to count.
   */
  static open(db: Db): StanceCountBatch | null {
    if (!hasWriterCounting(db)) return null
    stmt(db, 'UPDATE stance_counts_by_writer SET active = 1').run()
    return new StanceCountBatch(db)
  }

  add(topicId: string, createdAt: number, platform: string, lang: string, themes: readonly string[]): void {
    // The trigger's CAST(created_at / 900000 AS INTEGER): integer division truncates towards zero.
    const slot = Math.trunc(createdAt / SLOT_MS)
    // Topic and theme ids are slugs (config/schema.ts), languages are codes: no tab or newline in any of them.
    const key = `${topicId}\t${slot}\t${platform}\t${lang}`
    const row = this.slots.get(key)
    if (row) row[4]++
    else this.slots.set(key, [topicId, slot, platform, lang, 1])
    // As the trigger: a membership counts once per theme it lists, under '' when it lists none.
    for (const theme of themes.length ? themes : ['']) {
      const k = `${key}\n${theme}`
      const r = this.themes.get(k)
      if (r) r[5]++
      else this.themes.set(k, [topicId, theme, slot, platform, lang, 1])
    }
  }

  /** Write the counts and hand counting back to the trigger. */
  close(): void {
    const addSlot = stmt(this.db, ADD_SLOT)
    for (const r of this.slots.values()) addSlot.run(r)
    const addThemeSlot = stmt(this.db, ADD_THEME_SLOT)
    for (const r of this.themes.values()) addThemeSlot.run(r)
    stmt(this.db, 'UPDATE stance_counts_by_writer SET active = 0').run()
  }
}

const checked = new WeakMap<Db, boolean>()

function hasWriterCounting(db: Db): boolean {
  let has = checked.get(db)
  if (has === undefined)
    checked.set(db, (has = stmt(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'stance_counts_by_writer'").pluck().get() === 1))
  return has
}

const ADD_SLOT = `INSERT INTO stance_slots (topic_id, label, slot, platform, lang, n, human) VALUES (?, 'unclassified', ?, ?, ?, ?, 0)
  ON CONFLICT DO UPDATE SET n = n + excluded.n`

const ADD_THEME_SLOT = `INSERT INTO stance_theme_slots (topic_id, theme, label, slot, platform, lang, n, human) VALUES (?, ?, 'unclassified', ?, ?, ?, ?, 0)
  ON CONFLICT DO UPDATE SET n = n + excluded.n`
