import { createTransport } from 'nodemailer'
import type { ChannelConfig } from '../../config/schema.js'
import type { Env } from '../../config/env.js'
import { displaySafe, escapeHtml, headerSafe, safeHref } from '../../render/escape.js'
import { acceptedKinds, ChannelError, type Channel } from '../channel.js'
import type { Message } from '../../domain/message.js'
import { smtpUrl } from '../secrets.js'

/** The message as a small e-mail: used when it has no full rendering of its own (alerts). */
export function emailBodies(m: Message): { html: string; text: string } {
  if (m.body) return { html: m.body.html, text: m.body.text }
  const link = m.link ? safeHref(m.link) : null
  const posts = m.posts.map((p) => {
    const href = safeHref(p.url)
    const who = href ? `<a href="${escapeHtml(href)}">${escapeHtml(p.author)}</a>` : escapeHtml(p.author)
    const meta = [escapeHtml(p.platform), p.label ? escapeHtml(p.label) : null, p.engagement ? escapeHtml(p.engagement) : null].filter(Boolean).join(' · ')
    return `<blockquote style="margin:0 0 1em;padding-left:1em;border-left:3px solid #ccc"><p>${escapeHtml(p.text)}</p><p>— ${who} · ${meta}</p></blockquote>`
  })
  const html = [
    '<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(oneLine(m.title))}</h2>`,
    m.summary.length ? `<ul>${m.summary.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>` : '',
    ...posts,
    link ? `<p><a href="${escapeHtml(link)}">${m.kind === 'digest' ? 'Read the full digest' : 'Details'}</a></p>` : '',
    '</body></html>',
  ].join('\n')
  const text = [
    oneLine(m.title),
    '',
    ...m.summary.map((s) => `- ${displaySafe(s)}`),
    ...m.posts.flatMap((p) => [
      '',
      `> ${displaySafe(p.text).replace(/\n/g, '\n> ')}`,
      `— ${displaySafe(p.author)} · ${displaySafe(p.platform)}${p.label ? ` · ${displaySafe(p.label)}` : ''} · ${displaySafe(p.url)}`,
    ]),
    ...(link ? ['', link] : []),
  ].join('\n')
  return { html, text }
}

/**
 * E-mail over SMTP (nodemailer), the server and credentials from the URL in the named variable
 * (`smtps://user:password@host:465`, or `smtp://…:587`, upgraded with STARTTLS when offered). The
 * subject is the title on one line: no CR/LF can reach the headers.
 */
export function emailChannel(cfg: Extract<ChannelConfig, { type: 'email' }>, env: Env, timeoutMs: number): Channel {
  const { url, problem } = smtpUrl(env, cfg.smtp_url_env)
  return {
    id: cfg.id,
    type: 'email',
    accepts: acceptedKinds(cfg),
    unavailable: problem,
    send: async (m, sc) => {
      const transport = createTransport({ url: url!, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs })
      const stop = () => transport.close()
      sc.signal.addEventListener('abort', stop, { once: true })
      try {
        const { html, text } = emailBodies(m)
        const info = await transport.sendMail({
          from: cfg.from,
          to: [...cfg.to],
          subject: headerSafe(m.title),
          text,
          html,
          // Auto-Submitted (RFC 3834) keeps vacation responders from answering a bot.
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Stancewatch-Key': headerSafe(m.key) },
        })
        // Some recipients refused: the others have it, so a retry would send them a second copy.
        if (info.rejected.length) sc.log.warn({ channel: cfg.id, key: m.key, rejected: info.rejected.length }, 'the SMTP server refused some recipients')
      } catch (e) {
        if (sc.signal.aborted) throw new ChannelError(`e-mail ${cfg.id}: no answer before the timeout`)
        throw smtpError(cfg.id, e)
      } finally {
        sc.signal.removeEventListener('abort', stop)
        transport.close()
      }
    },
  }
}

function oneLine(s: string): string {
  return displaySafe(s).replace(/\s+/g, ' ').trim()
}

interface SmtpFailure {
  code?: string
  responseCode?: number
  permanent?: boolean
  message?: string
}

/** Credentials refused or the message rejected for good (5xx) cannot be helped by trying again now. */
function smtpError(id: string, e: unknown): ChannelError {
  const f = (e && typeof e === 'object' ? e : {}) as SmtpFailure
  const permanent = f.code === 'EAUTH' || f.permanent === true
  const reason = displaySafe(f.message ?? String(e))
    .replace(/\s+/g, ' ')
    .slice(0, 300)
  return new ChannelError(`e-mail ${id}: ${f.code ? `${f.code}: ` : ''}${reason}`, { status: f.responseCode, permanent })
}
