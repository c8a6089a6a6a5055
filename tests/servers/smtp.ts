/**
 * A loopback SMTP server (smtp-server) that accepts mail for tests, with AUTH PLAIN/LOGIN over plain text
 * on 127.0.0.1 (no STARTTLS offered), and parses every message with mailparser as a mail client would.
 * Replies for the next messages can be queued (e.g. a 451 "try again later").
 */
import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  /** Envelope: MAIL FROM and RCPT TO, which decide who really gets the message (not the headers). */
  from: string | null
  to: string[]
  raw: string
  parsed: ParsedMail
}

export interface SmtpTestServer {
  port: number
  mails: ReceivedMail[]
  logins: { user: string; ok: boolean }[]
  /** SMTP errors for the next DATA commands, e.g. `{ code: 451, message: 'try later' }`. */
  failNext(...errors: { code: number; message: string }[]): void
  close(): Promise<void>
}

export async function startSmtpServer(account: { user: string; pass: string }): Promise<SmtpTestServer> {
  const mails: ReceivedMail[] = []
  const logins: { user: string; ok: boolean }[] = []
  const failures: { code: number; message: string }[] = []
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      const ok = auth.username === account.user && auth.password === account.pass
      logins.push({ user: auth.username ?? '', ok })
      if (ok) callback(null, { user: auth.username })
      else callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const failure = failures.shift()
        if (failure) return callback(Object.assign(new Error(failure.message), { responseCode: failure.code }))
        const raw = Buffer.concat(chunks).toString('utf8')
        simpleParser(raw)
          .then((parsed) => {
            const from = session.envelope.mailFrom
            mails.push({ from: from ? from.address : null, to: session.envelope.rcptTo.map((r) => r.address), raw, parsed })
            callback()
          })
          .catch((e: unknown) => callback(e as Error))
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.server.address() as AddressInfo
  return {
    port,
    mails,
    logins,
    failNext: (...e) => void failures.push(...e),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
