import type { Message, MessagePost } from '../domain/message.js'
import type { DigestFacts } from './facts.js'
import { changeText, engagementLine, labelledBy, longDate, notMeasuredSentence, num, pct, themeSentence, volumeSentence } from './text.js'

/**
 * The digest as a channel-neutral message: the headline numbers for chat and social channels (which link
 * to the full digest when a public URL is configured), and the full renderings for e-mail.
 */
export function digestMessage(f: DigestFacts, body: { html: string; text: string; markdown: string }, link: string | null): Message {
  const summary: string[] = []
  if (f.empty) summary.push('No posts about this topic were collected on this day.')
  else {
    summary.push(volumeSentence(f))
    if (f.notMeasured) summary.push(notMeasuredSentence(f))
    else
      summary.push(
        `Stance: ${f.stance
          .filter((l) => l.count > 0)
          .map((l) => `${l.name} ${pct(l.share)} (${changeText(l.vsPreviousDay)} on the day before)`)
          .join(' · ')}`,
      )
    const moved = f.themes.filter((t) => t.change?.significant && Math.abs(t.change.points) >= 0.5).slice(0, 2)
    if (moved.length) summary.push(`Themes: ${moved.map(themeSentence).join('; ')}`)
    if (f.article.posts) summary.push(`${num(f.article.posts)} posts (${pct(f.article.share)}) link the article itself.`)
  }
  if (f.alerts.length) summary.push(`${f.alerts.length} alert${f.alerts.length === 1 ? '' : 's'} fired on this day.`)
  if (f.revisions.length)
    summary.push(`${f.revisions.length} earlier digest${f.revisions.length === 1 ? ' was' : 's were'} revised by later data (details inside).`)
  // Chat has no room to explain a post shown in doubt: a stance whose examples fell short of the bar gets none here.
  const posts: MessagePost[] = f.topPosts.flatMap((g) =>
    g.posts
      .filter((p) => !p.unsure)
      .slice(0, 1)
      .map((p) => ({
        text: p.text,
        author: p.author,
        url: p.url,
        platform: p.platform,
        label: p.human ? g.name : `${g.name} (${labelledBy(p)})`,
        human: p.human,
        engagement: engagementLine(p),
      })),
  )
  return {
    kind: 'digest',
    key: `digest:${f.topic.id}:${f.date}`,
    topicId: f.topic.id,
    title: `${f.topic.name}: digest for ${longDate(f)}`,
    summary,
    posts,
    link,
    body,
    data: f,
  }
}

/** Where the HTML digest of a day is published, when `notify.public_url` says digests are served somewhere. */
export function digestUrl(publicUrl: string | null | undefined, topicId: string, date: string, several: boolean): string | null {
  if (!publicUrl) return null
  return `${publicUrl.replace(/\/+$/, '')}/${several ? `${encodeURIComponent(topicId)}/` : ''}digest-${date}.html`
}
