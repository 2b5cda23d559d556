import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { user } from "../auth/auth.schema.ts";

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
    dueAt: instant("due_at"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    createdAt: instant("created_at").notNull().defaultNow(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (table) => [
    // Every list query is one user's rows in one sort order; each index serves one sort,
    // with the id as the tie-breaker the keyset cursor relies on.
    index("tasks_user_created_idx").on(table.userId, table.createdAt, table.id),
    index("tasks_user_updated_idx").on(table.userId, table.updatedAt, table.id),
    index("tasks_user_due_idx").on(table.userId, table.dueAt, table.id),
    index("tasks_user_priority_idx").on(table.userId, table.priority, table.id),
    index("tasks_user_title_idx").on(table.userId, sql`lower(${table.title}) COLLATE "C"`, table.id),
    // The pending view (the site's default filter) without reading completed tasks.
    index("tasks_user_pending_created_idx")
      .on(table.userId, table.createdAt, table.id)
      .where(sql`${table.completed} = false`),
    // Search (`q`: ILIKE '%…%' on title or description) by trigrams instead of reading every row
    // (pg_trgm; created by the migration, available on Neon, PGlite and PostgreSQL's contrib).
    index("tasks_title_trgm_idx").using("gin", sql`${table.title} gin_trgm_ops`),
    index("tasks_description_trgm_idx").using("gin", sql`${table.description} gin_trgm_ops`),
    // Database-level guards for the rules the API validates, so no path can store a broken task.
    check("tasks_title_length", sql`char_length(${table.title}) BETWEEN 1 AND 200`),
    check("tasks_description_length", sql`char_length(${table.description}) <= 1000`),
    check("tasks_tags_count", sql`coalesce(array_length(${table.tags}, 1), 0) <= 10`),
    check("tasks_completed_at", sql`${table.completed} = (${table.completedAt} IS NOT NULL)`),
    check("tasks_version_positive", sql`${table.version} >= 1`),
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
