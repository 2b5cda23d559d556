import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  time,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { user } from "../auth/auth.tables.ts";
import { lists } from "../lists/lists.tables.ts";
import type { Reminder } from "./reminders.ts";

export const priorities = ["none", "low", "medium", "high"] as const;

/** An enum sorts in declaration order, so `ORDER BY priority` runs none → high. */
export const taskPriority = pgEnum("task_priority", priorities);

/** Millisecond precision, as JSON carries it: a timestamp read back and sent again compares equal. */
const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });

export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    completed: boolean("completed").notNull().default(false),
    completedAt: instant("completed_at"),
    priority: taskPriority("priority").notNull().default("none"),
    // When the task is due (docs/decisions/020-dates-that-never-shift.md): a calendar day, a
    // wall-clock time on it and its zone (null: the person's), as the API has them; and for a
    // timed task the instant they make, computed by the write in SQL so overdue, today and the
    // due order compare an indexed column. An all-day task has no instant: its day starts and
    // ends where the viewer is.
    dueDate: date("due_date", { mode: "string" }),
    dueTime: time("due_time", { precision: 0 }),
    dueZone: text("due_zone"),
    dueAt: instant("due_at"),
    /** The list the task is in (docs/decisions/025-lists.md): one of its owner's, the Inbox unless chosen. */
    list: uuid("list_id").notNull(),
    /**
     * Where the task sorts in manual order (docs/decisions/030-manual-task-order.md): a
     * fractional-indexing key compared byte-wise (`COLLATE "C"`), the id breaking a tie. A create
     * without one goes to the top (`brisk_task_position`, the rule of ./position.ts).
     */
    position: text("position").notNull().default(sql`brisk_task_position(now()::timestamptz(3))`),
    // Reminders (docs/decisions/026-reminders.md): as the API has them; `reminded_through` is the
    // last fire instant the Cron Trigger delivered; `next_reminder_at` the next one to deliver,
    // computed by Postgres from the row (so every write re-arms it), indexed for the Cron's query.
    reminders: jsonb("reminders").$type<Reminder[]>().notNull().default(sql`'[]'::jsonb`),
    remindedThrough: instant("reminded_through"),
    nextReminderAt: timestamp("next_reminder_at", { withTimezone: true, precision: 3, mode: "date" }).generatedAlwaysAs(
      sql`brisk_next_reminder(reminders, due_at, completed, greatest(updated_at, reminded_through))`,
    ),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    // Recurring tasks (docs/decisions/024-recurring-tasks.md; rules in ./recurrence.ts): the RRULE,
    // whether the next occurrence counts from the due date or the completion, how many occurrences
    // were completed (COUNT counts them), and the latest completions, newest first: [{at, due}].
    recurrenceRule: text("recurrence_rule"),
    recurrenceFrom: text("recurrence_from", { enum: ["due", "completion"] }),
    recurrenceDone: integer("recurrence_done").notNull().default(0),
    completions: jsonb("completions").notNull().default(sql`'[]'::jsonb`),
    createdAt: instant("created_at").notNull().defaultNow(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
    version: integer("version").notNull().default(1),
    /** The user's change sequence at the task's last change (see `taskSequences`); 0 for tasks older than the feed. */
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
    /**
     * What `q` searches: title, description and tags folded (case and accents), one per line;
     * and the natural title order's key. Postgres computes both with the rules of
     * src/tasks/task-text.ts, held as SQL functions (docs/decisions/022-search-words-and-natural-title-order.md).
     */
    search: text("search").notNull().generatedAlwaysAs(sql`brisk_search_text(title, description, tags)`),
    titleKey: text("title_key").notNull().generatedAlwaysAs(sql`brisk_title_key(title)`),
  },
  (table) => [
    // The change feed: one user's tasks changed after a sequence, in order.
    index("tasks_user_seq_idx").on(table.userId, table.seq, table.id),
    // Every list query is one user's rows in one sort order; each index serves one sort,
    // with the id as the tie-breaker the keyset cursor relies on.
    foreignKey({
      name: "tasks_list_fk",
      columns: [table.userId, table.list],
      foreignColumns: [lists.userId, lists.id],
    }),
    // A list's tasks newest first (the site's default order) and their capped count, both in the
    // index, without reading the person's other lists (docs/decisions/036-search-cost-that-stays-flat.md);
    // its (user_id, list_id) prefix serves the lists' foreign key.
    index("tasks_user_list_created_idx").on(table.userId, table.list, table.createdAt, table.id),
    index("tasks_user_created_idx").on(table.userId, table.createdAt, table.id),
    index("tasks_user_updated_idx").on(table.userId, table.updatedAt, table.id),
    index("tasks_user_due_idx").on(table.userId, table.dueAt, table.id),
    index("tasks_user_due_date_idx").on(table.userId, table.dueDate, table.id),
    index("tasks_user_priority_idx").on(table.userId, table.priority, table.id),
    index("tasks_user_list_position_idx").on(table.userId, table.list, sql`${table.position} COLLATE "C"`, table.id),
    index("tasks_user_position_idx").on(table.userId, sql`${table.position} COLLATE "C"`, table.id),
    index("tasks_user_title_key_idx").on(table.userId, sql`${table.titleKey} COLLATE "C"`, table.id),
    // The pending view (the site's default filter) without reading completed tasks. The due columns
    // after the id change no order (the id is unique): they let the overdue count test each pending
    // task in the index, not in its table row (docs/decisions/042-an-overdue-count-in-the-index.md).
    index("tasks_user_pending_created_idx")
      .on(table.userId, table.createdAt, table.id, table.dueAt, table.dueDate)
      .where(sql`${table.completed} = false`),
    // The reminders the Cron Trigger delivers next, across every person.
    index("tasks_next_reminder_idx").on(table.nextReminderAt).where(sql`${table.nextReminderAt} IS NOT NULL`),
    // Search (`q`: each word LIKE '%…%' in `search`) by trigrams within the user's rows, not
    // every user's (btree_gin puts the user id in the same GIN index; pg_trgm and btree_gin
    // are created by the migrations, available on Neon, PGlite and PostgreSQL's contrib).
    index("tasks_user_search_idx").using("gin", table.userId, sql`${table.search} gin_trgm_ops`),
    // Database-level guards for the rules the API validates, so no path can store a broken task.
    check("tasks_title_length", sql`char_length(${table.title}) BETWEEN 1 AND 200`),
    check("tasks_description_length", sql`char_length(${table.description}) <= 1000`),
    check("tasks_tags_count", sql`coalesce(array_length(${table.tags}, 1), 0) <= 10`),
    check("tasks_completed_at", sql`${table.completed} = (${table.completedAt} IS NOT NULL)`),
    check("tasks_position_key", sql`${table.position} ~ '^[A-Za-z][0-9A-Za-z]*$'`),
    check("tasks_version_positive", sql`${table.version} >= 1`),
    // A time needs a date, a zone needs a time, and a timed task (only) has its instant.
    check("tasks_due_time_needs_date", sql`${table.dueTime} IS NULL OR ${table.dueDate} IS NOT NULL`),
    check("tasks_due_zone_needs_time", sql`${table.dueZone} IS NULL OR ${table.dueTime} IS NOT NULL`),
    check("tasks_reminders_count", sql`jsonb_array_length(${table.reminders}) <= 5`),
    check(
      "tasks_reminders_need_time",
      sql`${table.dueAt} IS NOT NULL OR NOT jsonb_path_exists(${table.reminders}, '$[*].before')`,
    ),
    check("tasks_due_at_iff_time", sql`(${table.dueAt} IS NULL) = (${table.dueTime} IS NULL)`),
    // A recurrence has both parts and repeats a due date (refused as 422 on `recurrence`).
    check(
      "tasks_recurrence_from",
      sql`(${table.recurrenceRule} IS NULL) = (${table.recurrenceFrom} IS NULL) AND ${table.recurrenceFrom} IN ('due', 'completion')`,
    ),
    check("tasks_recurrence_needs_due", sql`${table.recurrenceRule} IS NULL OR ${table.dueDate} IS NOT NULL`),
  ],
);

/**
 * Tasks removed by a bulk delete ("Clear completed"), kept for an hour so the deletion
 * can be undone: each row is a task as `to_jsonb(tasks)` wrote it, under the undo token
 * its delete answered. Restoring reads it back with `jsonb_populate_record`, so the
 * columns are written once, in `tasks`. Rows older than an hour are pruned by the
 * user's next bulk delete or restore (docs/tasks-api.md).
 */
export const deletedTasks = pgTable(
  "deleted_tasks",
  {
    undo: uuid("undo").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    task: jsonb("task").notNull(),
    deletedAt: instant("deleted_at").notNull().defaultNow(),
  },
  (table) => [
    index("deleted_tasks_user_undo_idx").on(table.userId, table.undo),
    index("deleted_tasks_user_deleted_idx").on(table.userId, table.deletedAt),
  ],
);

/**
 * Each user's change sequence (docs/decisions/012-change-sequence-and-tombstones.md):
 * every write that changes the user's tasks takes this row's lock first and advances
 * `seq` in the same transaction, so one user's changes commit in sequence order and a
 * reader of the feed can never miss a change that commits later with a lower number.
 * `pruned_through` is the highest sequence of a tombstone the Cron Trigger removed: a
 * feed cursor below it may have missed a delete and must sync from scratch.
 */
export const taskSequences = pgTable("task_sequences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => user.id, { onDelete: "cascade" }),
  seq: bigint("seq", { mode: "number" }).notNull().default(0),
  prunedThrough: bigint("pruned_through", { mode: "number" }).notNull().default(0),
});

/**
 * What a deleted task leaves for the change feed: its id and the sequence of its
 * deletion, kept for 30 days (then pruned by the Cron Trigger). A task created or
 * restored again under its id removes its tombstone in the same transaction.
 */
export const taskTombstones = pgTable(
  "task_tombstones",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    taskId: uuid("task_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    deletedAt: instant("deleted_at").notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.taskId] }),
    index("task_tombstones_user_seq_idx").on(table.userId, table.seq, table.taskId),
    index("task_tombstones_deleted_idx").on(table.deletedAt),
  ],
);

/**
 * Each reminder the Cron Trigger claimed, by task and fire instant: its insert is the claim
 * (`ON CONFLICT DO NOTHING`), so a retried or overlapping run never mails one twice; `run_id`
 * lets a run whose answer was lost find its own claims; `sent_at` is set once the mail is handed
 * over. Pruned after two days by the 30-minute housekeeping (docs/decisions/026-reminders.md).
 */
export const reminderDeliveries = pgTable(
  "reminder_deliveries",
  {
    taskId: uuid("task_id").notNull(),
    fireAt: instant("fire_at").notNull(),
    runId: uuid("run_id").notNull(),
    claimedAt: instant("claimed_at").notNull().defaultNow(),
    sentAt: instant("sent_at"),
  },
  (table) => [
    primaryKey({ columns: [table.taskId, table.fireAt] }),
    index("reminder_deliveries_run_idx").on(table.runId),
    index("reminder_deliveries_claimed_idx").on(table.claimedAt),
  ],
);
