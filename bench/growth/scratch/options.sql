-- The statements of decision 042, by hand on a database made by seed.ts (bench/growth/README.md, "By hand"):
--   psql postgresql://postgres@127.0.0.1:5432/<database> -f options.sql
-- Each EXPLAIN's top "Buffers" line is the pages it touched. The trial indexes and tables are dropped at the end.
\set u '''growthuser0123456789abcdefghijkl'''
\pset pager off

\echo '1. overdue: the count as the Worker sends it (sort=created, order=desc, tz=UTC)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM tasks WHERE user_id = :u
    AND ((due_at < now()) OR (due_at IS NULL AND due_date < (now() AT TIME ZONE 'UTC')::date)) AND completed = false
  ORDER BY created_at DESC, id DESC LIMIT 1001) AS capped;
\echo 'the user''s rows: bytes each, and rows per table page they lie on'
SELECT avg(pg_column_size(t.*))::int AS bytes, count(*) / count(DISTINCT (ctid::text::point)[0]) AS rows_per_page
FROM tasks t WHERE user_id = :u;

\echo '2. search: the total as the Worker counts it (unordered, on the trigram index)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM tasks WHERE user_id = :u AND search LIKE '%dentist%' LIMIT 1001) AS capped;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM tasks WHERE user_id = :u AND search LIKE '%urgent%' LIMIT 1001) AS capped;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM tasks WHERE user_id = :u AND search LIKE '%dentist%' AND search LIKE '%milk%' LIMIT 1001) AS capped;

\echo '2a. the search text in a btree of the page''s order, counted index-only in that order'
CREATE INDEX trial_created_search ON tasks (user_id, created_at, id) INCLUDE (search);
VACUUM ANALYZE tasks;
SELECT pg_relation_size('trial_created_search') / 8192 AS index_pages;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM tasks WHERE user_id = :u AND search LIKE '%dentist%' ORDER BY created_at DESC, id DESC LIMIT 1001) AS capped;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM tasks WHERE user_id = :u AND search LIKE '%urgent%' ORDER BY created_at DESC, id DESC LIMIT 1001) AS capped;
DROP INDEX trial_created_search;

\echo '2b. the search text alone in a narrow table (denser rows), same trigram index'
CREATE TABLE trial_search AS SELECT user_id, id, search FROM tasks ORDER BY ctid;
CREATE INDEX ON trial_search USING gin (user_id, search gin_trgm_ops);
VACUUM ANALYZE trial_search;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM trial_search WHERE user_id = :u AND search LIKE '%dentist%' LIMIT 1001) AS capped;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM trial_search WHERE user_id = :u AND search LIKE '%urgent%' LIMIT 1001) AS capped;
DROP TABLE trial_search;

\echo '2c. an exact index: every suffix of every word as a lexeme, a prefix query (no recheck), all pages all-visible'
CREATE TABLE trial_suffixes AS
  SELECT user_id, id, array_to_tsvector(ARRAY(SELECT DISTINCT substr(word, i)
    FROM regexp_split_to_table(search, '\s+') AS word, generate_series(1, length(word)) AS i WHERE word <> '')) AS suffixes
  FROM tasks WHERE user_id = :u OR user_id LIKE 'other-1%' ORDER BY ctid;
CREATE INDEX trial_suffixes_idx ON trial_suffixes USING gin (user_id, suffixes);
VACUUM ANALYZE trial_suffixes;
SELECT count(*) AS rows, pg_relation_size('trial_suffixes_idx') / 8192 AS index_pages,
  (SELECT pg_relation_size('tasks_user_search_idx') / 8192) AS trigram_index_pages_400k,
  avg(pg_column_size(suffixes))::int AS suffix_bytes,
  (SELECT avg(pg_column_size(search))::int FROM tasks WHERE user_id = :u) AS search_bytes,
  (SELECT relallvisible = relpages FROM pg_class WHERE relname = 'trial_suffixes') AS all_visible
FROM trial_suffixes;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM trial_suffixes WHERE user_id = :u AND suffixes @@ '''dentist'':*'::tsquery LIMIT 1001) AS capped;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM trial_suffixes WHERE user_id = :u AND suffixes @@ '''urgent'':*'::tsquery LIMIT 1001) AS capped;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT count(*) FROM (SELECT FROM trial_suffixes WHERE user_id = :u AND suffixes @@ '''dentist'':* & ''milk'':*'::tsquery LIMIT 1001) AS capped;
DROP TABLE trial_suffixes;
