import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deliver } from '../../src/notify/deliver.js'
import { findDelivery } from '../../src/store/deliveries.js'
import { startSmtpServer, type SmtpTestServer } from '../servers/smtp.js'
import { FAST_RETRY, notifyHarness, sampleMessage, type NotifyHarness } from './helpers.js'

const PASSWORD = 'p@ss/word-SMTP-secret-71'
const USER = 'bot@example.org'

describe('e-mail over SMTP', () => {
  let smtp: SmtpTestServer
  let h: NotifyHarness
  const harness = (password = PASSWORD) =>
    notifyHarness({
      notify: {
        retry: FAST_RETRY,
        timeout_seconds: 5,
        channels: [{ id: 'mail', type: 'email', from: 'stancewatch <bot@example.org>', to: ['analyst@example.org', 'desk@example.org'] }],
      },
      env: { SMTP_URL: `smtp://${encodeURIComponent(USER)}:${encodeURIComponent(password)}@127.0.0.1:${smtp.port}` },
    })
  beforeEach(async () => {
    smtp = await startSmtpServer({ user: USER, pass: PASSWORD })
  })
  afterEach(async () => {
    h?.cleanup()
    await smtp.close()
  })

  it('sends the subject, an HTML part and a text part, to the configured recipients only', async () => {
    h = harness()
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toEqual({ channel: 'mail', key: 'alert:1', status: 'sent', attempts: 1 })
    expect(smtp.logins).toEqual([{ user: USER, ok: true }])
    expect(smtp.mails).toHaveLength(1)
    const mail = smtp.mails[0]!
    expect(mail.from).toBe('bot@example.org')
    expect(mail.to).toEqual(['analyst@example.org', 'desk@example.org'])
    const p = mail.parsed
    expect(p.subject).toBe('Volume spike on X: 3.4× the usual for china-ai-fund <!channel>')
    expect(p.headers.get('auto-submitted')).toBe('auto-generated')
    expect(p.headers.get('x-stancewatch-key')).toBe('alert:1')
    // HTML: the hostile post is text, not markup.
    expect(p.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;')
    expect(p.html).not.toContain('<script>')
    expect(p.html).toContain('<a href="https://bsky.app/profile/someone.bsky.social/post/3lmnopq">')
    expect(p.html).toContain('<a href="https://example.org/d/2025-07-16">Details</a>')
    expect(p.html).not.toContain('\u202E')
    expect(p.text).toContain('- 79 posts in 3 hours vs 9.0 expected')
    expect(p.text).toContain('https://example.org/d/2025-07-16')
  })

  it('uses the message body (the digest renderings) when there is one', async () => {
    h = harness()
    const body = {
      html: '<!doctype html><html><body><h1>Digest</h1><p>full rendering</p></body></html>',
      text: 'Digest\n\nfull rendering',
      markdown: '# Digest',
    }
    await deliver(h.ctx, sampleMessage({ kind: 'digest', key: 'digest:china-ai-fund:2025-07-16', title: 'China AI fund: digest for July 16, 2025', body }))
    const p = smtp.mails[0]!.parsed
    expect(p.subject).toBe('China AI fund: digest for July 16, 2025')
    expect(p.html).toContain('<p>full rendering</p>')
    expect(p.text?.trim()).toBe('Digest\n\nfull rendering')
  })

  it('a title with CR/LF cannot inject headers or recipients', async () => {
    h = harness()
    await deliver(h.ctx, sampleMessage({ title: 'Alert\r\nBcc: victim@example.org\r\nX-Evil: 1\n\nbody?\u0000\u202E', key: 'alert:crlf' }))
    const mail = smtp.mails[0]!
    expect(mail.parsed.subject).toBe('Alert Bcc: victim@example.org X-Evil: 1 body?')
    expect(mail.parsed.headers.has('x-evil')).toBe(false)
    expect(mail.parsed.bcc).toBeUndefined()
    expect(mail.to).toEqual(['analyst@example.org', 'desk@example.org'])
    const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'))
    expect(headers).not.toMatch(/^X-Evil:/im)
    expect(headers).not.toMatch(/^Bcc:/im)
    expect(mail.parsed.text).toMatch(/^Alert Bcc: victim@example.org X-Evil: 1 body\?\n/)
  })

  it('a temporary SMTP failure (451) is retried; the message arrives once', async () => {
    h = harness()
    smtp.failNext({ code: 451, message: 'greylisted, try again' })
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'sent', attempts: 2 })
    expect(smtp.mails).toHaveLength(1)
  })

  it('a rejected login is final for the round, and the password appears nowhere', async () => {
    h = harness('wrong-password-secret-99')
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'failed', attempts: 1 })
    expect(r!.error).toMatch(/^e-mail mail: EAUTH/)
    expect(smtp.mails).toHaveLength(0)
    const row = findDelivery(h.ctx.db, 'alert:1', 'mail')!
    expect(row.status).toBe('failed')
    const everything =
      h.logs.join('') +
      JSON.stringify(h.ctx.db.prepare('SELECT * FROM deliveries').all()) +
      JSON.stringify(h.ctx.db.prepare('SELECT * FROM delivery_attempts').all())
    expect(everything).not.toContain('wrong-password-secret-99')
    expect(everything).not.toContain(encodeURIComponent('wrong-password-secret-99'))
  })

  it('an SMTP_URL that is not an smtp URL leaves the channel not configured', async () => {
    h = notifyHarness({
      notify: { channels: [{ id: 'mail', type: 'email', from: 'bot@example.org', to: ['a@example.org'] }] },
      env: { SMTP_URL: 'https://mail.example.org' },
    })
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'skipped', error: 'not configured: SMTP_URL is not an smtp:// or smtps:// URL' })
  })
})
