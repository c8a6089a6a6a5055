import { createInterface } from 'node:readline/promises'
import { earlySighup } from './early-sighup.js'
import { commandOf, runCli } from './run.js'

/** Process entry: the only place that touches process.exitCode. */
export async function main(): Promise<void> {
  // Output piped into `head` and closed early is not a failure: stop quietly, as other CLI tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e
    process.exit(process.exitCode ?? 0)
  })
  // Only the daemon keeps SIGHUP (see early-sighup.ts): any other command gets the default back, and a
  // hangup that came while it loaded ends it now, as it would have then.
  const hup = earlySighup()
  if (hup && commandOf(process.argv.slice(2)) !== 'start') {
    process.off('SIGHUP', hup.listener)
    if (hup.count > 0) process.kill(process.pid, 'SIGHUP')
  }
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
    ask: process.stdin.isTTY && process.stdout.isTTY ? askTerminal : undefined,
  })
  // The command is over: a socket a library keeps open (a request cut off by a bounded shutdown) must not
  // keep the process alive. Output is written synchronously, so nothing is lost.
  setTimeout(() => process.exit(), LINGER_MS).unref()
}

const LINGER_MS = 1000

/** One question on the terminal; null when the person closes input (Ctrl-D). */
async function askTerminal(question: string): Promise<string | null> {
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)))
  try {
    return await Promise.race([rl.question(question), closed])
  } finally {
    rl.close()
  }
}
