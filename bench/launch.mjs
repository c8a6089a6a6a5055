// Runs bench/run.ts with tsx registered in this process only (see run.ts): worker threads inherit the
// process's Node flags, not hooks registered at run time, so the compiled code's workers start here as the
// installed command's do, without tsx.
import { register } from 'tsx/esm/api'

register()
await import('./run.ts')
