#!/bin/bash
# A kept copy of the growth benchmark's data, to study one statement by hand (bench/growth/README.md,
# "By hand"): ./seed.sh <database> [migrations] — the first <migrations> migrations (default: all),
# 300 000 tasks of 1 000 other users, then one user's tasks in steps of 10, 100, 1 000, 10 000 and
# 100 000 (growth.ts `insertTasks`, the same SQL), VACUUM ANALYZE after each step. The user's id is
# growthuser0123456789abcdefghijkl. Drops <database> first. ~3 minutes on 2 shared cores.
set -euo pipefail
db=$1
migrations=${2:-999}
url=${BRISK_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
here=$(cd "$(dirname "$0")" && pwd)
psql_db() { psql "${url%/*}/$db" -v ON_ERROR_STOP=1 -q "$@"; }
psql "$url" -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
for file in $(ls "$here"/../../../worker/migrations/*.sql | head -n "$migrations"); do psql_db -f "$file" >/dev/null; done
# Before migration 0011 tasks have no list.
lists=$(psql_db -At -c "SELECT count(*) FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'list_id'")
user=growthuser0123456789abcdefghijkl
words='{"Buy milk","Write report","Call dentist","Pay invoice","Water garden","Book tickets","Return library books","Fix bike","File taxes","Plan birthday","Clean kitchen","Renew passport","Email landlord","Update CV","Walk the dog","Order groceries","Back up laptop","Read contract","Change oil","Sort photos"}'
insert() { # owner expression, from, to, list expression
  local column="" value=""
  if [ "$lists" = 1 ]; then column="list_id, " value="$4, "; fi
  psql_db -c "INSERT INTO tasks (id, user_id, ${column}title, description, completed, completed_at, priority, due_date, due_time, due_zone, due_at, tags, created_at, updated_at)
    SELECT gen_random_uuid(), $1, ${value}
      ('$words'::text[])[1 + g % 20] || ' #' || g || CASE WHEN g % 500 = 7 THEN ' urgent' ELSE '' END,
      CASE WHEN g % 3 = 0 THEN 'Notes for item ' || g || ': bring the papers and the receipt' ELSE '' END,
      g % 3 = 0,
      CASE WHEN g % 3 = 0 THEN now() - (g % 500) * interval '1 hour' END,
      (ARRAY['none','low','medium','high']::task_priority[])[1 + g % 4],
      CASE WHEN g % 5 = 0 THEN NULL ELSE (now() + ((g % 120) - 60) * interval '1 day')::date END,
      CASE WHEN g % 5 = 0 OR g % 2 = 0 THEN NULL ELSE time '09:00' END,
      CASE WHEN g % 5 = 0 OR g % 2 = 0 THEN NULL ELSE 'UTC' END,
      CASE WHEN g % 5 = 0 OR g % 2 = 0 THEN NULL
        ELSE ((now() + ((g % 120) - 60) * interval '1 day')::date + time '09:00') AT TIME ZONE 'UTC' END,
      CASE WHEN g % 2 = 0 THEN ARRAY['home'] ELSE '{}'::text[] END,
      now() - g * interval '30 seconds',
      now() - g * interval '30 seconds'
    FROM generate_series($2, $3) AS g"
}
psql_db -c "INSERT INTO \"user\" (id, name, email) SELECT 'other-' || g, 'Other ' || g, 'other' || g || '@example.com' FROM generate_series(1, 1000) g"
psql_db -c "INSERT INTO \"user\" (id, name, email) VALUES ('$user', 'Growth', 'growth@example.com')"
insert "'other-' || (1 + g % 1000)" 1 300000 NULL
list="NULL"
if [ "$lists" = 1 ]; then
  psql_db -c "INSERT INTO lists (id, user_id, name, position) SELECT gen_random_uuid(), '$user', name, 'b' || n FROM unnest(ARRAY['Work', 'Home', 'Errands']) WITH ORDINALITY AS l(name, n)"
  ids=$(psql_db -At -c "SELECT '{' || string_agg(id::text, ',' ORDER BY inbox DESC, position) || '}' FROM lists WHERE user_id = '$user'")
  list="('$ids'::uuid[])[1 + g % 4]"
fi
seeded=0
for size in 10 100 1000 10000 100000; do
  insert "'$user'" $((seeded + 1)) $size "$list"
  seeded=$size
  psql_db -c "VACUUM ANALYZE tasks"
done
echo "seeded $db (user $user)"
