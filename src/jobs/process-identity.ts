import { readFileSync } from 'node:fs'
import os from 'node:os'
import type { ProcessIdentity } from '../store/leases.js'

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null
  } catch {
    return null
  }
}

const me: ProcessIdentity = { pid: process.pid, host: os.hostname(), bootId: bootId() }

/** This process, as leases and run records name it. */
export function thisProcess(): ProcessIdentity {
  return me
}

/**
 * Whether the process that holds a lease or ran a run is gone. On this host that is certain: a different
 * boot, no such pid, or a pid reused by something that is not Node. On another host (a database on shared
 * storage) only silence tells: no heartbeat for `staleMs`.
 */
export function processGone(p: ProcessIdentity & { heartbeatAt?: number | null }, now: number, staleMs: number): boolean {
  if (p.host !== me.host) return p.heartbeatAt == null || now - p.heartbeatAt > staleMs
  if (p.bootId && me.bootId && p.bootId !== me.bootId) return true
  if (p.pid === me.pid) return false
  try {
    process.kill(p.pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
  try {
    return !/node|stancewatch/.test(readFileSync(`/proc/${p.pid}/cmdline`, 'utf8'))
  } catch {
    return false
  }
}
