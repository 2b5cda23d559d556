import { sql } from "drizzle-orm";
import { user } from "../auth/auth.tables.ts";
import type { Database } from "../db/client.ts";
import { withRetries } from "../db/retry.ts";
import { errorForLog, logEvent } from "../log.ts";
import type { Mailer } from "../mail/mailer.ts";
import { reminderMail } from "../mail/messages.ts";
import { reminderDeliveries, tasks } from "./tasks.tables.ts";

/**
 * Mails the reminders that are due (docs/decisions/026-reminders.md), run by the every-minute
 * Cron Trigger. Each batch is claimed by ONE statement that picks the due tasks by the index on
 * `next_reminder_at`, moves each task's `reminded_through` to the instant it fires (Postgres then
 * computes the task's next one) and inserts the claim into `reminder_deliveries` — so a run that
 * overlaps another, or repeats the statement after a lost answer, never claims a reminder twice.
 * A reminder more than a day late (the Cron Trigger was down) is passed over, not mailed.
 */

/** The Cron Trigger that delivers reminders (wrangler.jsonc `triggers`); the other one does housekeeping. */
export const reminderCron = "* * * * *";

/** Tasks picked per statement; a run claims batches until one picks nothing. */
const batchSize = 100;
/** At most this many batches per run (the next run, a minute later, goes on). */
const maxBatches = 20;
/** How late a reminder may still be mailed. */
const lateLimit = sql`interval '1 day'`;

interface Claimed {
  taskId: string;
  fireAt: string;
  title: string;
  dueDate: string | null;
  dueTime: string | null;
  dueZone: string | null;
  email: string;
  name: string;
  timeZone: string | null;
}

/** One claim: picks, advances and records in a single statement; also answers this run's earlier unsent claims. */
async function claim(db: Database, runId: string): Promise<{ picked: number; claimed: Claimed[] }> {
  const { rows } = await withRetries("repeatable", () =>
    db.execute<{ picked: number; claimed: Claimed[] }>(sql`
      with picked as (
        select ${tasks.id} as task_id, ${tasks.nextReminderAt} as fire_at from ${tasks}
        where ${tasks.nextReminderAt} <= now()
        order by ${tasks.nextReminderAt}
        limit ${batchSize}
        for update skip locked
      ), advanced as (
        update ${tasks} set reminded_through = picked.fire_at from picked
        where ${tasks.id} = picked.task_id
        returning ${tasks.id}
      ), inserted as (
        insert into ${reminderDeliveries} (task_id, fire_at, run_id)
        select task_id, fire_at, ${runId}::uuid from picked where fire_at > now() - ${lateLimit}
        on conflict (task_id, fire_at) do nothing
        returning task_id, fire_at
      ), mine as (
        select task_id, fire_at from inserted
        union
        select task_id, fire_at from ${reminderDeliveries} where run_id = ${runId}::uuid and sent_at is null
      )
      select
        (select count(*) from advanced)::integer as picked,
        coalesce((
          select json_agg(json_build_object(
            'taskId', t.id, 'fireAt', mine.fire_at, 'title', t.title,
            'dueDate', to_char(t.due_date, 'YYYY-MM-DD'), 'dueTime', to_char(t.due_time, 'HH24:MI'), 'dueZone', t.due_zone,
            'email', u.email, 'name', u.name, 'timeZone', u.time_zone) order by mine.fire_at)
          from mine
          join ${tasks} t on t.id = mine.task_id
          join ${user} u on u.id = t.user_id
        ), '[]') as claimed`),
  );
  const row = rows[0];
  const claimed = typeof row?.claimed === "string" ? (JSON.parse(row.claimed) as Claimed[]) : (row?.claimed ?? []);
  return { picked: Number(row?.picked ?? 0), claimed };
}

/** The mail was handed over: the claim is done. Repeatable. */
async function markSent(db: Database, runId: string, sent: Claimed[]): Promise<void> {
  if (sent.length === 0) return;
  const done = JSON.stringify(sent.map((one) => ({ task_id: one.taskId, fire_at: one.fireAt })));
  await withRetries("repeatable", () =>
    db.execute(sql`
      update ${reminderDeliveries} set sent_at = now()
      from json_to_recordset(${done}::json) as done(task_id uuid, fire_at timestamptz)
      where ${reminderDeliveries.runId} = ${runId}::uuid
        and ${reminderDeliveries.taskId} = done.task_id and ${reminderDeliveries.fireAt} = done.fire_at`),
  );
}

/**
 * The mail could not be sent: the claim is given back and the task's watermark set just before
 * the instant again, so the next run tries once more — unless the task changed since. Repeatable.
 */
async function release(db: Database, runId: string, failed: Claimed): Promise<void> {
  await withRetries("repeatable", () =>
    db.execute(sql`
      with released as (
        delete from ${reminderDeliveries}
        where ${reminderDeliveries.runId} = ${runId}::uuid and ${reminderDeliveries.taskId} = ${failed.taskId}::uuid
          and ${reminderDeliveries.fireAt} = ${failed.fireAt}::timestamptz and ${reminderDeliveries.sentAt} is null
        returning task_id, fire_at
      )
      update ${tasks} set reminded_through = released.fire_at - interval '1 millisecond' from released
      where ${tasks.id} = released.task_id and ${tasks.remindedThrough} = released.fire_at`),
  );
}

/** Claims and mails every due reminder; answers how many were mailed and how many failed. */
export async function deliverReminders(
  db: Database,
  mailer: Mailer,
  baseUrl: string,
): Promise<{ sent: number; failed: number }> {
  const runId = crypto.randomUUID();
  let sent = 0;
  let failed = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const { picked, claimed } = await claim(db, runId);
    const done: Claimed[] = [];
    for (const reminder of claimed) {
      try {
        await mailer.send(reminder.email, reminderMail({ ...reminder, tasksUrl: `${baseUrl}/tasks` }));
        done.push(reminder);
      } catch (error) {
        failed++;
        logEvent("error", "reminder not sent", { error: errorForLog(error) });
        await release(db, runId, reminder).catch((releaseError: unknown) =>
          logEvent("error", "reminder claim not released", { error: errorForLog(releaseError) }),
        );
      }
    }
    await markSent(db, runId, done);
    sent += done.length;
    // A task with several reminders due gives one per claim: claim again until nothing is picked.
    // A failed send ends the run (the mail service is likely down): the next run tries again.
    if (picked === 0 || done.length < claimed.length) break;
  }
  return { sent, failed };
}

/** Removes claims older than two days: no reminder that late is mailed, so none can be claimed again. */
export async function pruneReminderDeliveries(db: Database): Promise<number> {
  const result = await withRetries("repeatable", () =>
    db.execute(
      sql`delete from ${reminderDeliveries} where ${reminderDeliveries.claimedAt} < now() - interval '2 days'`,
    ),
  );
  return result.rowCount ?? 0;
}
