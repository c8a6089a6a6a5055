-- The facts of a digest as they were delivered. A rebuild replaces `facts`; this keeps what people were
-- told, so a later digest can say how much later data changed that day.
ALTER TABLE digests ADD COLUMN delivered_facts TEXT;
