-- Stance counts kept up to date as posts arrive, get labelled, re-tagged, edited and deleted, so that stance
-- over time reads a few rows per label and day instead of every post. One row per topic, current label
-- (the person's label when there is one, 'unclassified' before any model), 15-minute slot (every time
-- zone's offset is a multiple of 15 minutes, so any zone's hours, days and weeks are unions of slots),
-- platform and detected language. Deleted posts are not counted; a row whose count reaches 0 is removed.
--
-- Keyed by label before time: a bucket of one label is one contiguous stretch, summed without sorting
-- (GROUP BY label over a time range would sort every row). Platform and language stay in the key so that
-- filters and splits by them are answered here too.
CREATE TABLE stance_slots (
  topic_id TEXT    NOT NULL,
  label    TEXT    NOT NULL,                     -- coalesce(stance_label, 'unclassified')
  slot     INTEGER NOT NULL,                     -- created_at / 900000
  platform TEXT    NOT NULL,
  lang     TEXT    NOT NULL,                     -- posts.lang_detected
  n        INTEGER NOT NULL,
  human    INTEGER NOT NULL,                     -- of which labelled by a person
  PRIMARY KEY (topic_id, label, slot, platform, lang)
) WITHOUT ROWID;

-- The same per theme, theme first so that `stance --theme` reads only its own: a post with two themes
-- counts under both, a post with none under ''.
CREATE TABLE stance_theme_slots (
  topic_id TEXT    NOT NULL,
  theme    TEXT    NOT NULL,
  label    TEXT    NOT NULL,
  slot     INTEGER NOT NULL,
  platform TEXT    NOT NULL,
  lang     TEXT    NOT NULL,
  n        INTEGER NOT NULL,
  human    INTEGER NOT NULL,
  PRIMARY KEY (topic_id, theme, label, slot, platform, lang)
) WITHOUT ROWID;

CREATE TRIGGER stance_slots_emptied AFTER UPDATE OF n ON stance_slots WHEN new.n = 0
BEGIN
  DELETE FROM stance_slots
    WHERE topic_id = new.topic_id AND label = new.label AND slot = new.slot AND platform = new.platform AND lang = new.lang;
END;

CREATE TRIGGER stance_theme_slots_emptied AFTER UPDATE OF n ON stance_theme_slots WHEN new.n = 0
BEGIN
  DELETE FROM stance_theme_slots
    WHERE topic_id = new.topic_id AND theme = new.theme AND label = new.label AND slot = new.slot AND platform = new.platform AND lang = new.lang;
END;

-- Triggers keep both tables exact whoever writes (collectors, classify, labels, retag, edits, deletions,
-- a person with the sqlite3 shell): each change takes the old membership's contribution out (n -1) and
-- puts the new one in (n +1), through one upsert per table. A membership counts when its post is not
-- deleted; its platform and language are the post's. Memberships of a post are found through posts.topics,
-- which mirrors them (there is no index on post_topics.post_id), at the post's created_at, which
-- post_topics copies.

CREATE TRIGGER post_topics_stance_insert AFTER INSERT ON post_topics
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

CREATE TRIGGER post_topics_stance_delete AFTER DELETE ON post_topics
BEGIN
  INSERT INTO stance_slots (topic_id, label, slot, platform, lang, n, human)
    SELECT old.topic_id, coalesce(old.stance_label, 'unclassified'), CAST(old.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, -1, -(old.stance_source IS 'human')
    FROM posts p WHERE p.id = old.post_id AND p.deleted_at IS NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
  INSERT INTO stance_theme_slots (topic_id, theme, label, slot, platform, lang, n, human)
    SELECT old.topic_id, coalesce(t.value, ''), coalesce(old.stance_label, 'unclassified'), CAST(old.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, -1, -(old.stance_source IS 'human')
    FROM posts p LEFT JOIN json_each(old.themes) t WHERE p.id = old.post_id AND p.deleted_at IS NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
END;

-- A model re-scoring a post with the label it already had changes nothing here, and costs nothing.
CREATE TRIGGER post_topics_stance_update AFTER UPDATE OF topic_id, created_at, post_id, stance_label, stance_source, themes ON post_topics
  WHEN old.stance_label IS NOT new.stance_label OR old.stance_source IS NOT new.stance_source OR old.themes IS NOT new.themes
    OR old.topic_id IS NOT new.topic_id OR old.created_at IS NOT new.created_at OR old.post_id IS NOT new.post_id
BEGIN
  INSERT INTO stance_slots (topic_id, label, slot, platform, lang, n, human)
    SELECT old.topic_id, coalesce(old.stance_label, 'unclassified'), CAST(old.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, -1, -(old.stance_source IS 'human')
    FROM posts p WHERE p.id = old.post_id AND p.deleted_at IS NULL
    UNION ALL
    SELECT new.topic_id, coalesce(new.stance_label, 'unclassified'), CAST(new.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, 1, new.stance_source IS 'human'
    FROM posts p WHERE p.id = new.post_id AND p.deleted_at IS NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
  INSERT INTO stance_theme_slots (topic_id, theme, label, slot, platform, lang, n, human)
    SELECT old.topic_id, coalesce(t.value, ''), coalesce(old.stance_label, 'unclassified'), CAST(old.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, -1, -(old.stance_source IS 'human')
    FROM posts p LEFT JOIN json_each(old.themes) t WHERE p.id = old.post_id AND p.deleted_at IS NULL
    UNION ALL
    SELECT new.topic_id, coalesce(t.value, ''), coalesce(new.stance_label, 'unclassified'), CAST(new.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, 1, new.stance_source IS 'human'
    FROM posts p LEFT JOIN json_each(new.themes) t WHERE p.id = new.post_id AND p.deleted_at IS NULL
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
END;

-- Deleting or undeleting a post, or detecting its language again, moves every one of its memberships.
CREATE TRIGGER posts_stance_update AFTER UPDATE OF deleted_at, lang_detected, platform ON posts
  WHEN (old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL) OR old.lang_detected IS NOT new.lang_detected OR old.platform IS NOT new.platform
BEGIN
  INSERT INTO stance_slots (topic_id, label, slot, platform, lang, n, human)
    SELECT pt.topic_id, coalesce(pt.stance_label, 'unclassified'), CAST(pt.created_at / 900000 AS INTEGER), old.platform, old.lang_detected, -1, -(pt.stance_source IS 'human')
    FROM post_topics pt
    WHERE old.deleted_at IS NULL AND pt.post_id = old.id AND pt.created_at IN (old.created_at, new.created_at)
      AND pt.topic_id IN (SELECT value FROM json_each(old.topics) UNION ALL SELECT value FROM json_each(new.topics))
    UNION ALL
    SELECT pt.topic_id, coalesce(pt.stance_label, 'unclassified'), CAST(pt.created_at / 900000 AS INTEGER), new.platform, new.lang_detected, 1, pt.stance_source IS 'human'
    FROM post_topics pt
    WHERE new.deleted_at IS NULL AND pt.post_id = new.id AND pt.created_at IN (old.created_at, new.created_at)
      AND pt.topic_id IN (SELECT value FROM json_each(old.topics) UNION ALL SELECT value FROM json_each(new.topics))
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
  INSERT INTO stance_theme_slots (topic_id, theme, label, slot, platform, lang, n, human)
    SELECT pt.topic_id, coalesce(t.value, ''), coalesce(pt.stance_label, 'unclassified'), CAST(pt.created_at / 900000 AS INTEGER), old.platform, old.lang_detected, -1, -(pt.stance_source IS 'human')
    FROM post_topics pt LEFT JOIN json_each(pt.themes) t
    WHERE old.deleted_at IS NULL AND pt.post_id = old.id AND pt.created_at IN (old.created_at, new.created_at)
      AND pt.topic_id IN (SELECT value FROM json_each(old.topics) UNION ALL SELECT value FROM json_each(new.topics))
    UNION ALL
    SELECT pt.topic_id, coalesce(t.value, ''), coalesce(pt.stance_label, 'unclassified'), CAST(pt.created_at / 900000 AS INTEGER), new.platform, new.lang_detected, 1, pt.stance_source IS 'human'
    FROM post_topics pt LEFT JOIN json_each(pt.themes) t
    WHERE new.deleted_at IS NULL AND pt.post_id = new.id AND pt.created_at IN (old.created_at, new.created_at)
      AND pt.topic_id IN (SELECT value FROM json_each(old.topics) UNION ALL SELECT value FROM json_each(new.topics))
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
END;

-- A post removed outright takes its memberships out first: the cascade that then deletes them finds no
-- post left to count them against.
CREATE TRIGGER posts_stance_delete BEFORE DELETE ON posts WHEN old.deleted_at IS NULL
BEGIN
  INSERT INTO stance_slots (topic_id, label, slot, platform, lang, n, human)
    SELECT pt.topic_id, coalesce(pt.stance_label, 'unclassified'), CAST(pt.created_at / 900000 AS INTEGER), old.platform, old.lang_detected, -1, -(pt.stance_source IS 'human')
    FROM post_topics pt
    WHERE pt.post_id = old.id AND pt.created_at = old.created_at AND pt.topic_id IN (SELECT value FROM json_each(old.topics))
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
  INSERT INTO stance_theme_slots (topic_id, theme, label, slot, platform, lang, n, human)
    SELECT pt.topic_id, coalesce(t.value, ''), coalesce(pt.stance_label, 'unclassified'), CAST(pt.created_at / 900000 AS INTEGER), old.platform, old.lang_detected, -1, -(pt.stance_source IS 'human')
    FROM post_topics pt LEFT JOIN json_each(pt.themes) t
    WHERE pt.post_id = old.id AND pt.created_at = old.created_at AND pt.topic_id IN (SELECT value FROM json_each(old.topics))
    ON CONFLICT DO UPDATE SET n = n + excluded.n, human = human + excluded.human;
END;

-- Posts stored before this migration (grouped in key order, so the rows go in appended).
INSERT INTO stance_slots (topic_id, label, slot, platform, lang, n, human)
  SELECT pt.topic_id, coalesce(pt.stance_label, 'unclassified'), CAST(pt.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, count(*), sum(pt.stance_source IS 'human')
  FROM post_topics pt JOIN posts p ON p.id = pt.post_id
  WHERE p.deleted_at IS NULL
  GROUP BY 1, 2, 3, 4, 5;

INSERT INTO stance_theme_slots (topic_id, theme, label, slot, platform, lang, n, human)
  SELECT pt.topic_id, coalesce(t.value, ''), coalesce(pt.stance_label, 'unclassified'), CAST(pt.created_at / 900000 AS INTEGER), p.platform, p.lang_detected, count(*), sum(pt.stance_source IS 'human')
  FROM post_topics pt JOIN posts p ON p.id = pt.post_id LEFT JOIN json_each(pt.themes) t
  WHERE p.deleted_at IS NULL
  GROUP BY 1, 2, 3, 4, 5, 6;
