-- Importing the same labelled file twice must not double its examples: imports are looked up by text.
CREATE INDEX labels_import_text ON labels (topic_id, text) WHERE post_id IS NULL;
