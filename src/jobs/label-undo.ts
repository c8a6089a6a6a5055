import type { AppContext } from '../context.js'
import { clearHumanLabel, currentStance, findPost, setHumanLabel } from '../store/labels.js'
import { changesOf, lastOpenBatch, markBatchUndone, personLabel, type BatchKind } from '../store/label-history.js'
import { rescoreOne, type Models } from './label.js'

export interface UndoResult {
  /** The batch taken back; null when there was nothing to undo. */
  batch: { id: number; kind: BatchKind; file: string | null; by: string | null; at: string } | null
  restored: { postId: number; url: string; topicId: string; undid: string | null; restored: string | null; by: string | null; stance: string | null }[]
  /** Changes that could not be taken back: the post is gone, or its label was changed since by other means. */
  skipped: { postId: number; topicId: string; message: string }[]
}

/**
 * Take back the newest batch of label changes not undone yet (one \`label\`, one answer in \`review\`, or a
 * whole \`label --file\`): each post gets exactly the person's label it had before, or none, and then the
 * active model's label. Called again, it takes back the batch before.
 */
export function undoLastLabels(ctx: AppContext): UndoResult {
  const models: Models = new Map()
  return ctx.db.transaction((): UndoResult => {
    const batch = lastOpenBatch(ctx.db)
    if (!batch) return { batch: null, restored: [], skipped: [] }
    const restored: UndoResult['restored'] = []
    const skipped: UndoResult['skipped'] = []
    for (const c of changesOf(ctx.db, batch.id)) {
      const post = findPost(ctx.db, { kind: 'row', id: c.postId, text: `#${c.postId}` })
      if (!post) {
        skipped.push({ postId: c.postId, topicId: c.topicId, message: 'the post is no longer stored' })
        continue
      }
      const now = personLabel(ctx.db, c.topicId, c.postId)
      if ((now?.label ?? null) !== (c.after?.label ?? null)) {
        skipped.push({ postId: c.postId, topicId: c.topicId, message: `its label was changed since (now ${now?.label ?? 'none'}); left as it is` })
        continue
      }
      const topic = ctx.config.topics.find((t) => t.id === c.topicId)
      if (c.before === null) {
        clearHumanLabel(ctx.db, post, c.topicId)
        if (topic) rescoreOne(ctx, topic, post, models)
      } else setHumanLabel(ctx.db, post, c.topicId, c.before.label, c.before.author, c.before.at)
      restored.push({
        postId: post.id,
        url: post.url,
        topicId: c.topicId,
        undid: c.after?.label ?? null,
        restored: c.before?.label ?? null,
        by: c.before?.author ?? null,
        stance: currentStance(ctx.db, c.topicId, post)?.label ?? null,
      })
    }
    const at = ctx.now().getTime()
    markBatchUndone(ctx.db, batch.id, at)
    ctx.log.info({ batch: batch.id, restored: restored.length, skipped: skipped.length }, 'label changes undone')
    return {
      batch: { id: batch.id, kind: batch.kind, file: batch.source, by: batch.author, at: new Date(batch.createdAt).toISOString() },
      restored: restored.reverse(),
      skipped: skipped.reverse(),
    }
  })()
}
