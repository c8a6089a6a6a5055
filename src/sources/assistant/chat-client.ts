import OpenAI from 'openai'

/*
 * The one module that knows the `openai` package: every type of it stays here, callers get plain objects.
 * Any OpenAI-compatible chat-completions server works (a hosted service, llama.cpp's server, Ollama, vLLM).
 */

export interface ChatClientOptions {
  /** API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1. */
  baseUrl: string
  /** null for a local server that wants none. */
  apiKey: string | null
  timeoutMs: number
  /** Retries of connection errors, timeouts, 408, 409, 429 (after its retry-after) and 5xx. */
  maxRetries: number
}

export interface ChatRequest {
  model: string
  system: string
  user: string
  maxOutputTokens: number
}

export interface ChatUsage {
  input: number
  output: number
}

/** What came back, in the words the caller counts. Nothing here throws: a run counts what failed and goes on. */
export type ChatOutcome =
  | { kind: 'answer'; content: string; usage: ChatUsage }
  /** The server refused (a `refusal`, or finish_reason content_filter). */
  | { kind: 'refused'; reason: string; usage: ChatUsage }
  /** No choice, or an empty message. */
  | { kind: 'empty'; usage: ChatUsage }
  /** A body that is not the chat-completions JSON. */
  | { kind: 'malformed'; reason: string }
  /** The key was refused (401, 403): every further request would be too. */
  | { kind: 'unauthorized'; status: number }
  /** Timed out, connection failed, or an HTTP error after the retries. */
  | { kind: 'failed'; reason: string; status: number | null }

export interface ChatClient {
  complete(req: ChatRequest): Promise<ChatOutcome>
}

/** Some local servers want no key, but the client must send one: a placeholder that means nothing. */
const NO_KEY = 'no-key'

export function chatClient(opts: ChatClientOptions): ChatClient {
  const client = new OpenAI({
    baseURL: opts.baseUrl,
    apiKey: opts.apiKey ?? NO_KEY,
    timeout: opts.timeoutMs,
    maxRetries: opts.maxRetries,
    // The package would otherwise print warnings itself, outside our logger and its secret scrubbing.
    logLevel: 'off',
  })
  return {
    async complete(req) {
      try {
        const r = await client.chat.completions.create({
          model: req.model,
          messages: [
            { role: 'system', content: req.system },
            { role: 'user', content: req.user },
          ],
          response_format: { type: 'json_object' },
          max_tokens: req.maxOutputTokens,
          temperature: 0,
        })
        if (typeof r !== 'object' || r === null) return { kind: 'malformed', reason: 'the body is not a JSON object' }
        const usage = { input: r.usage?.prompt_tokens ?? 0, output: r.usage?.completion_tokens ?? 0 }
        const choice = Array.isArray(r.choices) ? r.choices[0] : undefined
        if (!choice) return { kind: 'empty', usage }
        const refusal = choice.message?.refusal
        if (refusal) return { kind: 'refused', reason: refusal, usage }
        if (choice.finish_reason === 'content_filter') return { kind: 'refused', reason: 'content_filter', usage }
        const content = choice.message?.content
        if (typeof content !== 'string' || content.trim() === '') return { kind: 'empty', usage }
        return { kind: 'answer', content, usage }
      } catch (e) {
        return outcomeOfError(e)
      }
    },
  }
}

function outcomeOfError(e: unknown): ChatOutcome {
  if (e instanceof OpenAI.AuthenticationError || e instanceof OpenAI.PermissionDeniedError) return { kind: 'unauthorized', status: e.status }
  if (e instanceof OpenAI.APIConnectionTimeoutError) return { kind: 'failed', reason: 'timed out', status: null }
  if (e instanceof OpenAI.APIConnectionError) return { kind: 'failed', reason: 'connection failed', status: null }
  // The message of an APIError quotes the server's body: only its status is kept.
  if (e instanceof OpenAI.APIError) {
    const status = typeof e.status === 'number' ? e.status : null
    return { kind: 'failed', reason: `HTTP ${status ?? '?'}`, status }
  }
  if (e instanceof SyntaxError) return { kind: 'malformed', reason: 'the body is not JSON' }
  return { kind: 'failed', reason: e instanceof Error ? e.name : 'unknown error', status: null }
}
