import { setFlagsFromString } from 'node:v8'

/**
 * A process that streams for hours (the daemon, the Jetstream consumer) turns out short-lived garbage at tens of
 * MB a second, while what it keeps is ~35 MB. V8 lets the old generation grow to up to 4× what survived its
 * last full collection before collecting again, so the resident size climbed to ~230–260 MB for ~35 MB live.
 * Growing by 1.5× instead keeps the peak near 175 MB (`bench/jetstream.bench.ts`). The flag is read at each
 * full collection, so setting it after start-up takes effect; short commands keep V8's default.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50')
}
