/*
 * `npm run bench`: every bench/*.bench.ts in turn. Each compares stancewatch against a baseline measured in
 * the same run and prints the ratio; absolute times on a shared machine mean little. Never fails CI.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const dir = import.meta.dirname

// Started by tsx's command (`tsx bench/run.ts`, `npm run bench`), this process has tsx's loader in its Node
// flags, and every worker thread inherits them: the compiled replay's workers would each load tsx (a
// module-hooks thread, ~80 ms more per start and CPU beside), which the installed command never does. So
// run again in a plain node process that registers tsx for itself only (bench/launch.mjs).
if (process.execArgv.some((a) => /(^|[/\\=])tsx([/\\@]|$)/.test(a))) {
  const again = spawnSync(process.execPath, [path.join(dir, 'launch.mjs'), ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(again.status ?? 1)
}

const only = process.argv[2]
for (const f of readdirSync(dir)
  .filter((x) => x.endsWith('.bench.ts'))
  .sort()) {
  if (only && !f.includes(only)) continue
  console.log(`\n## ${f}`)
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { run: () => Promise<void> | void }
  await mod.run()
}
