/** Which topic a post belongs to, and every rule that put it there (kept with the post as provenance). */
export interface TopicMatch {
  topicId: string
  rules: string[]
  /** The topic's sub-themes the post's own text mentions (ids in config order; may be empty). */
  themes: string[]
}
