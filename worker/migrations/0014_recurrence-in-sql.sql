-- The next occurrence of a recurring task (worker/src/tasks/recurrence.ts's nextDue, which stays the reference; held
-- equal to it by worker/test/recurrence-sql.test.ts), so a complete moves `due` in its one conditional statement
-- (docs/decisions/024-recurring-tasks.md). `start` is the date the rule starts from (the due date, or the day of
-- completion), `done` the completions before this one. NULL: this was the last occurrence (COUNT reached, no date
-- after `start` on or before UNTIL or 9999-12-31). The rule is one the API accepted (ruleProblem).
-- DAILY and WEEKLY are arithmetic; MONTHLY and YEARLY (a MONTHLY of 12 × INTERVAL months on the start's day) look at
-- periods (months start + k × INTERVAL) in bounded sets: the first 3 periods (most rules match there), then 48,
-- then 480 at a time, never past the year 9999 or UNTIL. PL/pgSQL, whose plans are kept for the session.
CREATE OR REPLACE FUNCTION public.brisk_next_due(rule text, start date, done integer) RETURNS date
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $rules$
DECLARE
  freq text := (regexp_match(rule, '(?:^|;)FREQ=([A-Z]+)'))[1];
  step integer := coalesce((regexp_match(rule, '(?:^|;)INTERVAL=([0-9]+)'))[1]::integer, 1);
  count integer := (regexp_match(rule, '(?:^|;)COUNT=([0-9]+)'))[1]::integer;
  until text := (regexp_match(rule, '(?:^|;)UNTIL=([0-9]{8})'))[1];
  weekdays integer[] := (
    SELECT array_agg(array_position(ARRAY['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], day))
    FROM unnest(string_to_array((regexp_match(rule, '(?:^|;)BYDAY=([A-Z,]+)'))[1], ',')) AS day);
  monthdays integer[] := string_to_array((regexp_match(rule, '(?:^|;)BYMONTHDAY=([0-9,+-]+)'))[1], ',')::integer[];
  setpos integer := (regexp_match(rule, '(?:^|;)BYSETPOS=([0-9+-]+)'))[1]::integer;
  last date := date '9999-12-31';
  first_month integer := extract(year FROM start)::integer * 12 + extract(month FROM start)::integer - 1;
  periods integer;
  low integer := 0;
  size integer := 3;
  found date;
BEGIN
  IF count IS NOT NULL AND done + 1 >= count THEN
    RETURN NULL;
  END IF;
  IF until IS NOT NULL THEN
    last := least(last, make_date(substr(until, 1, 4)::integer, substr(until, 5, 2)::integer, substr(until, 7, 2)::integer));
  END IF;
  IF freq = 'DAILY' THEN
    found := start + step;
  ELSIF freq = 'WEEKLY' THEN
    -- Weeks from Monday (rrule's WKST); this week's days after `start`, else the first of the week INTERVAL on.
    SELECT min(week + (day - 1)) INTO found
    FROM unnest(coalesce(weekdays, ARRAY[extract(isodow FROM start)::integer])) AS day,
      unnest(ARRAY[0, 7 * step]) AS later,
      LATERAL (SELECT start - (extract(isodow FROM start)::integer - 1) + later AS week) AS w
    WHERE week + (day - 1) > start;
  ELSE
    IF freq = 'YEARLY' THEN
      step := step * 12;
      monthdays := ARRAY[extract(day FROM start)::integer];
    ELSIF monthdays IS NULL AND setpos IS NULL THEN
      monthdays := ARRAY[extract(day FROM start)::integer];
    END IF;
    -- A month visited every whole number of years that has none of the days can never match (nextDue's neverAgain).
    IF step % 12 = 0 AND monthdays IS NOT NULL AND NOT EXISTS (
      SELECT FROM unnest(monthdays) AS day
      WHERE abs(day) <= (ARRAY[31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[extract(month FROM start)::integer]
    ) THEN
      RETURN NULL;
    END IF;
    periods := ((9999 * 12 + 11) - first_month) / step;
    WHILE found IS NULL AND low <= periods LOOP
      SELECT min(day) INTO found
      FROM generate_series(low, least(low + size - 1, periods)) AS period,
        LATERAL (SELECT make_date((first_month + period * step) / 12, (first_month + period * step) % 12 + 1, 1) AS month) AS m,
        LATERAL (SELECT extract(day FROM (month + interval '1 month' - interval '1 day'))::integer AS length) AS l,
        LATERAL (
          SELECT month + (CASE WHEN given > 0 THEN given ELSE length + given + 1 END - 1) AS day
          FROM unnest(monthdays) AS given
          WHERE CASE WHEN given > 0 THEN given ELSE length + given + 1 END BETWEEN 1 AND length
          UNION ALL
          SELECT day FROM (
            SELECT month + offset_ AS day,
              row_number() OVER (ORDER BY offset_) AS forward,
              row_number() OVER (ORDER BY offset_ DESC) AS backward
            FROM generate_series(0, length - 1) AS offset_
            WHERE setpos IS NOT NULL AND extract(isodow FROM month + offset_)::integer = ANY (weekdays)
          ) AS days
          WHERE forward = setpos OR backward = -setpos
        ) AS candidates
      WHERE day > start AND day <= last;
      -- Past UNTIL (or the year 9999) no later period can match.
      EXIT WHEN make_date((first_month + least(low + size - 1, periods) * step) / 12,
        (first_month + least(low + size - 1, periods) * step) % 12 + 1, 1) > last;
      low := low + size;
      size := least(size * 16, 480);
    END LOOP;
  END IF;
  RETURN CASE WHEN found <= last THEN found END;
END
$rules$;
