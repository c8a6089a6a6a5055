-- People's label changes, kept so that `label --undo` can put back exactly what was there before: a batch is
-- one command (one `label`, one answer in `review`, or a whole `label --file`), undone as one. A change
-- records the person's label before and after (NULL: no person's label, the model decides). Rows are only
-- appended; an undo marks its batch undone and never deletes history.
CREATE TABLE label_batches (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL CHECK (kind IN ('label', 'file')),
  source     TEXT,                               -- the file a batch was read from
  author     TEXT,                               -- who ran the command
  created_at INTEGER NOT NULL,
  undone_at  INTEGER
);
-- The undo looks for the newest batch not undone.
CREATE INDEX label_batches_open ON label_batches (id) WHERE undone_at IS NULL;

-- No foreign key to posts: a post removed since is reported by the undo, and removing posts costs nothing more.
CREATE TABLE label_changes (
  batch_id      INTEGER NOT NULL REFERENCES label_batches (id),
  seq           INTEGER NOT NULL,
  topic_id      TEXT    NOT NULL,
  post_id       INTEGER NOT NULL,
  before_label  TEXT,
  before_author TEXT,
  before_at     INTEGER,
  after_label   TEXT,
  after_author  TEXT,
  after_at      INTEGER,
  PRIMARY KEY (batch_id, seq)
) WITHOUT ROWID;
