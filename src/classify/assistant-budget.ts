/** The prices and limits of one run (topic config `assistant`). */
export interface BudgetLimits {
  maxTokens: number
  maxCostUsd: number
  usdPer1kInput: number
  usdPer1kOutput: number
}

/**
 * A run's token and cost budget. Before each request it estimates what the request will use (the post's own
 * input, the output of earlier answers on average) and refuses one that could take the run past a limit, so a
 * run stops before, not after, it overspends.
 */
export class AssistantBudget {
  inputTokens = 0
  outputTokens = 0
  private answers = 0
  /** Our estimates of the inputs answered so far, against what the server counted: corrects later estimates. */
  private estimatedInput = 0

  constructor(
    private readonly limits: BudgetLimits,
    /** Output tokens assumed before any answer has come back. */
    private readonly firstOutputGuess: number,
  ) {}

  costOf(input: number, output: number): number {
    return (input * this.limits.usdPer1kInput + output * this.limits.usdPer1kOutput) / 1000
  }

  get costUsd(): number {
    return this.costOf(this.inputTokens, this.outputTokens)
  }

  /** The output an answer is expected to take: the mean of the answers so far, or the first guess. */
  expectedOutput(): number {
    return this.answers ? Math.ceil(this.outputTokens / this.answers) : this.firstOutputGuess
  }

  /** Whether a request of about `inputEstimate` tokens fits; the reason when it does not. */
  allows(inputEstimate: number): { ok: true } | { ok: false; reason: 'tokens' | 'cost' } {
    const input = this.expectedInput(inputEstimate)
    const output = this.expectedOutput()
    if (this.inputTokens + this.outputTokens + input + output > this.limits.maxTokens) return { ok: false, reason: 'tokens' }
    if (this.costUsd + this.costOf(input, output) > this.limits.maxCostUsd) return { ok: false, reason: 'cost' }
    return { ok: true }
  }

  /** A rough estimate scaled by how the server's counts compared with ours so far. */
  expectedInput(estimate: number): number {
    return this.estimatedInput > 0 && this.inputTokens > 0 ? Math.ceil((estimate * this.inputTokens) / this.estimatedInput) : estimate
  }

  /** Count what the server said a request used (`estimate`: what we thought its input would be). */
  spend(usage: { input: number; output: number }, estimate: number): void {
    this.estimatedInput += estimate
    this.inputTokens += usage.input
    this.outputTokens += usage.output
    this.answers++
  }

  left(): { tokens: number; costUsd: number } {
    return {
      tokens: Math.max(0, this.limits.maxTokens - this.inputTokens - this.outputTokens),
      costUsd: Math.max(0, this.limits.maxCostUsd - this.costUsd),
    }
  }
}
