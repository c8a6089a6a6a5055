-- A writer storing a page of new posts may count their memberships into stance_slots and
-- stance_theme_slots itself, once per page, instead of the insert trigger doing it row by row: the
-- trigger's json_each over each row's themes cost as much as inserting the post (bench/ingest.bench.ts).
-- While it does, this flag is set, inside that writer's transaction only: no other connection ever sees it
-- set, a rollback clears it, and every other writer (the sqlite3 shell included) keeps the trigger.
CREATE TABLE stance_counts_by_writer (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  active INTEGER NOT NULL CHECK (active IN (0, 1))
);
INSERT INTO stance_counts_by_writer (id, active) VALUES (1, 0);

DROP TRIGGER post_topics_stance_insert;
CREATE TRIGGER post_topics_stance_insert AFTER INSERT ON post_topics
  WHEN (SELECT active FROM stance_counts_by_writer) = 0
BEGIN
  INSERT INTO stance_slots (topic_id, label, slot, platform, lang, n, human)
    SELECT new.topic_id, coalesce(new.stance_label, 'unclassified'), CAST(new.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, 1, new.stance_source IS 'human'
    FROM posts p WHERE p.id = new.post_id AND p.deleted_at IS NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
  INSERT INTO stance_theme_slots (topic_id, theme, label, slot, platform, lang, n, human)
    SELECT new.topic_id, coalesce(t.value, ''), coalesce(new.stance_label, 'unclassified'), CAST(new.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, 1, new.stance_source IS 'human'
    FROM posts p LEFT JOIN json_each(new.themes) t WHERE p.id = new.post_id AND p.deleted_at IS NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
END;
