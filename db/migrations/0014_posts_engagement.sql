-- The dashboard's posts view sorted by engagement: most engaged first, read in this order instead of
-- sorting every post of a long range (5,000,000 posts: seconds). The expression is the one the query orders
-- by (src/store/dashboard-posts.ts); created_at and id break ties, newest first.
CREATE INDEX posts_engagement ON posts ((coalesce(likes, 0) + coalesce(reposts, 0) + coalesce(replies, 0) + coalesce(quotes, 0)), created_at, id);
