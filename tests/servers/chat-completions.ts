/**
 * A loopback OpenAI-compatible chat-completions server (POST /v1/chat/completions) in the real response
 * shape, with a scripted answer per request and injectable faults. Binds 127.0.0.1 only.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ChatAnswer {
  label: string
  confidence?: number
  reason?: string
}

export interface ChatServerOptions {
  /** The accepted key; any other `Authorization` gets a 401. */
  apiKey: string
  /** The answer to a post (its text as sent); default: by keyword (see `keywordAnswer`). */
  answer?: (postText: string) => ChatAnswer
  /** The whole message content for a request (its system and user messages), instead of a label answer; null: answer a label. */
  content?: (system: string, user: string) => string | null
  /** Completion tokens reported per answer (default: a quarter of its characters). */
  completionTokens?: number
}

export interface ChatRequestRecord {
  /** Date.now() on arrival. */
  at: number
  status: number
  authorization: string | undefined
  /** The request body as parsed (model, messages, response_format…). */
  body: any
  /** The post text found in the user message. */
  postText: string | null
  fault?: ChatFault
}

export type ChatFault =
  /** No fault: the normal answer (to line faults up with later requests). */
  | { kind: 'ok' }
  /** 429 with retry-after (seconds). */
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'server-error'; status?: number }
  /** 200 whose JSON body is cut in half. */
  | { kind: 'malformed-body' }
  /** A normal response whose message content is prose, not JSON. */
  | { kind: 'not-json' }
  /** A JSON answer naming a label the topic does not have. */
  | { kind: 'unknown-label' }
  /** The message carries a `refusal`. */
  | { kind: 'refusal' }
  /** finish_reason content_filter and no content. */
  | { kind: 'content-filter' }
  | { kind: 'empty-choices' }
  /** No answer for this long (then the normal one, if the client still listens). */
  | { kind: 'hang'; ms: number }

export interface ChatServer {
  /** API root for LLM_BASE_URL: `http://127.0.0.1:PORT/v1`. */
  url: string
  requests: ChatRequestRecord[]
  /** Faults for the next requests, in order, one per request. */
  inject(...faults: ChatFault[]): void
  close(): Promise<void>
}

/** The scripted labeller: concern, praise or neutral by words in the post, else unsure. */
export function keywordAnswer(text: string): ChatAnswer {
  const t = text.toLowerCase()
  if (/subsid|distort|zombie|security|waste/.test(t)) return { label: 'concern', confidence: 0.9, reason: 'criticises the state money' }
  if (/bold|pride|working|leadership|proud/.test(t)) return { label: 'praise', confidence: 0.8, reason: 'praises the plan' }
  if (/\?|reading|podcast|news/.test(t)) return { label: 'neutral', confidence: 0.7, reason: 'shares or asks' }
  return { label: 'unsure', confidence: 0.2, reason: 'too short to tell' }
}

export async function startChatServer(opts: ChatServerOptions): Promise<ChatServer> {
  const requests: ChatRequestRecord[] = []
  const faults: ChatFault[] = []
  const answer = opts.answer ?? keywordAnswer
  let seq = 0
  const timers = new Set<NodeJS.Timeout>()

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let body: any = null
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        /* answered 400 below */
      }
      const user = Array.isArray(body?.messages) ? body.messages.find((m: any) => m.role === 'user')?.content : undefined
      const postText = typeof user === 'string' ? (/"""\n([\s\S]*)\n"""/.exec(user)?.[1] ?? user) : null
      const rec: ChatRequestRecord = { at: Date.now(), status: 0, authorization: req.headers.authorization, body, postText }
      requests.push(rec)
      const send = (status: number, payload: string, headers: Record<string, string> = {}) => {
        rec.status = status
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(payload)
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return send(404, JSON.stringify({ error: { message: 'not found' } }))
      if (req.headers.authorization !== `Bearer ${opts.apiKey}`)
        return send(401, JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }))
      if (!body || typeof body.model !== 'string') return send(400, JSON.stringify({ error: { message: 'bad request' } }))
      const fault = faults.shift()
      if (fault) rec.fault = fault
      const promptTokens = Math.ceil(body.messages.reduce((n: number, m: any) => n + String(m.content).length, 0) / 4)
      const completion = (message: Record<string, unknown>, finish: string) => {
        const content = typeof message.content === 'string' ? message.content : ''
        const completionTokens = opts.completionTokens ?? Math.max(1, Math.ceil(content.length / 4))
        return {
          id: `chatcmpl-${++seq}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, ...message }, logprobs: null, finish_reason: finish }],
          usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
        }
      }
      const system = String(body.messages.find((m: any) => m.role === 'system')?.content ?? '')
      const scripted = opts.content?.(system, typeof user === 'string' ? user : '') ?? null
      const normal = () => JSON.stringify(completion({ content: scripted ?? JSON.stringify(answer(postText ?? '')) }, 'stop'))
      switch (fault?.kind) {
        case 'rate-limit':
          return send(429, JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests' } }), { 'retry-after': String(fault.retryAfterSeconds) })
        case 'server-error':
          return send(fault.status ?? 500, JSON.stringify({ error: { message: 'The server had an error' } }))
        case 'malformed-body':
          return send(200, normal().slice(0, 40))
        case 'not-json':
          return send(200, JSON.stringify(completion({ content: 'Sure! I think this post is concerned about the fund.' }, 'stop')))
        case 'unknown-label':
          return send(200, JSON.stringify(completion({ content: JSON.stringify({ label: 'angry', confidence: 0.9, reason: 'x' }) }, 'stop')))
        case 'refusal':
          return send(200, JSON.stringify(completion({ refusal: "I'm sorry, I can't help with that." }, 'stop')))
        case 'content-filter':
          return send(200, JSON.stringify(completion({}, 'content_filter')))
        case 'empty-choices':
          return send(200, JSON.stringify({ ...completion({}, 'stop'), choices: [] }))
        case 'hang': {
          const t = setTimeout(() => {
            timers.delete(t)
            if (!res.destroyed) send(200, normal())
          }, fault.ms)
          timers.add(t)
          return
        }
        default:
          return send(200, normal())
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    inject: (...f) => void faults.push(...f),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
