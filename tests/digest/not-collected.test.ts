import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeContext, type AppContext } from '../../src/context.js'
import { buildDigestFacts } from '../../src/digest/facts.js'
import { makeDigests } from '../../src/jobs/digest.js'
import { tempDir, testContext } from '../helpers.js'
import { DAY, FIRST_DAY, storeFourteenDays } from './fourteen-days.js'

const ZONE = 'America/New_York'
const BEFORE = ['2025-07-03', '2025-07-04', '2025-07-05', '2025-07-06', '2025-07-07']

describe('days before the topic was first collected, in the digest', () => {
  const tmp = tempDir('stancewatch-not-collected-')
  let ctx: AppContext
  beforeAll(() => {
    ctx = testContext({ now: new Date('2025-07-17T12:00:00Z') })
    storeFourteenDays(ctx)
  })
  afterAll(() => {
    closeContext(ctx)
    tmp.cleanup()
  })

  const facts = (day: string) => buildDigestFacts(ctx.db, ctx.config.topics[0]!, day, ZONE, ctx.now(), 3)
  const files = (day: string) => {
    const [d] = makeDigests(ctx, { date: day, outDir: path.join(tmp.dir, day) })
    const read = (ext: string) =>
      readFileSync(
        d!.files.find((f) => f.endsWith(ext))!,
        'utf8',
      )
    return { html: read('.html'), md: read('.md'), json: JSON.parse(read('.json')) as { chart: { day: string; collected: boolean }[] } }
  }

  it('the 14-day chart marks the days before collection as not collected, the rest as collected (zero or not)', () => {
    const f = facts(DAY)
    expect(f.chart.filter((d) => !d.collected).map((d) => d.day)).toEqual(BEFORE)
    expect(f.chart.find((d) => d.day === FIRST_DAY)).toMatchObject({ collected: true, total: 5 })
    expect(
      files(DAY)
        .json.chart.filter((d) => !d.collected)
        .map((d) => d.day),
    ).toEqual(BEFORE)
  })

  it('HTML: the table says "not collected" for those days (never 0), and the chart draws them apart', () => {
    const { html } = files(DAY)
    for (const day of BEFORE) {
      expect(html).toContain(`<tr class="not-collected"><th scope="row">${day}</th><td class="nc" colspan="4">not collected</td></tr>`)
      expect(html).toContain(`<title>${day}: not collected</title>`)
      expect(html).not.toMatch(new RegExp(`<th scope="row">${day}</th><td>0</td>`))
    }
    expect(html).toContain('<title>2025-07-08: 2 Concern (market distortion / security)</title>')
    expect(html).toContain('not collected (before 2025-07-08, when collection of this topic began)')
  })

  it('Markdown: the same rows say not collected', () => {
    const { md } = files(DAY)
    for (const day of BEFORE) expect(md).toContain(`| ${day} | _not collected_ |`)
    expect(md).toContain('| 2025-07-08 | 5 |')
    expect(md).toContain('unknown, not zero')
  })

  it('compares a day only with days that were collected', () => {
    const first = facts(FIRST_DAY)
    expect(first.volume).toMatchObject({ total: 5, previousDay: null, sevenDaysCollected: 0, sevenDayAverage: 0 })
    expect(first.stance.every((l) => l.vsPreviousDay === null && l.vsSevenDays === null)).toBe(true)
    expect(files(FIRST_DAY).md).toContain('**5 posts, the day before was not collected; the 7 days before were not collected.**')
    const third = facts('2025-07-10')
    expect(third.volume).toMatchObject({ previousDay: 5, sevenDaysCollected: 2, sevenDayAverage: 5 })
    expect(files('2025-07-10').md).toContain('**5 posts, the same as the day before (5); 1.0× the average of the 2 days collected before (5).**')
    expect(facts(DAY).volume).toMatchObject({ previousDay: 5, sevenDaysCollected: 7, sevenDayAverage: 5 })
  })
})
