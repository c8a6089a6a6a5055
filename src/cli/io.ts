/** Where a command's output goes: real streams in the binary, buffers in tests. */
export interface Io {
  stdout: (s: string) => void
  stderr: (s: string) => void
  stdoutIsTTY: boolean
  stderrIsTTY: boolean
  env: NodeJS.ProcessEnv
  cwd: string
  /** A question to the person at the terminal; absent when nobody can answer (piped input, tests). */
  ask?: (question: string) => Promise<string | null>
}

/** `--json` output: exactly one JSON document on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`)
}

export function println(io: Io, line = ''): void {
  io.stdout(`${line}\n`)
}
