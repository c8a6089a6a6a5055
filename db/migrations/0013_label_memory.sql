-- A classification can repeat a person's label instead of the model's guess: the post has the same words
-- as a labelled text, or nearly (a copy-paste, a retweet, a quote with a link or a word around it). This says
-- whose label it repeats (`#N`: the labelled post; `import:FILE`: an imported example) and how alike the
-- texts are; NULL when the model decided. The post stays model-labelled (stance_source 'model'): retraining
-- and `label --clear` treat it as the model's.
ALTER TABLE classifications ADD COLUMN recalled_from TEXT;
ALTER TABLE classifications ADD COLUMN recalled_similarity REAL;
