/**
 * Characters that must never reach a reader from post text: C0/C1 controls (tab and newline allowed) and the
 * bidirectional overrides and isolates that can reorder what a reader sees.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what this looks for
export const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/
