/** A stored post as a person names it, once parsed (see cli/post-ref.ts); `text` is what they typed. */
export type PostRef =
  | { kind: 'row'; id: number; text: string }
  | { kind: 'tweet'; id: string; text: string }
  | { kind: 'bluesky-uri'; uri: string; text: string }
  | { kind: 'bluesky-web'; actor: string; rkey: string; text: string }
  /** Digits alone: a tweet id, or else stancewatch's own number. */
  | { kind: 'digits'; digits: string; text: string }
  | { kind: 'unknown'; text: string }
