import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { user } from "../auth/auth.tables.ts";

/** The fixed palette a list's colour is named from (docs/decisions/025-lists.md). */
export const listColours = ["grey", "red", "orange", "yellow", "green", "blue", "purple", "pink"] as const;
export const listColour = pgEnum("list_colour", listColours);

const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });

/**
 * A person's lists (docs/decisions/025-lists.md). Every person has exactly one Inbox
 * (`inbox` true), created with the account by a trigger on "user" (and for the accounts
 * older than lists by their migration), which cannot be deleted. `position` is a
 * fractional-indexing key compared byte-wise (`COLLATE "C"`), so moving a list never
 * renumbers the others. `seq` is the person's change sequence at the list's last change,
 * as for tasks (decision 012).
 */
export const lists = pgTable(
  "lists",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    colour: listColour("colour").notNull().default("grey"),
    position: text("position").notNull(),
    inbox: boolean("inbox").notNull().default(false),
    createdAt: instant("created_at").notNull().defaultNow(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
    version: integer("version").notNull().default(1),
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
  },
  (table) => [
    // The target of tasks' (user_id, list_id) key: a task can only be in one of its owner's lists.
    unique("lists_user_id_id_key").on(table.userId, table.id),
    uniqueIndex("lists_one_inbox_idx").on(table.userId).where(sql`${table.inbox}`),
    index("lists_user_seq_idx").on(table.userId, table.seq, table.id),
    check("lists_name_length", sql`char_length(${table.name}) BETWEEN 1 AND 100`),
    check("lists_position_key", sql`${table.position} ~ '^[A-Za-z][0-9A-Za-z]*$'`),
    check("lists_version_positive", sql`${table.version} >= 1`),
  ],
);

/** What a deleted list leaves for the change feed (as `task_tombstones` for tasks). */
export const listTombstones = pgTable(
  "list_tombstones",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    listId: uuid("list_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    deletedAt: instant("deleted_at").notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.listId] }),
    index("list_tombstones_user_seq_idx").on(table.userId, table.seq, table.listId),
  ],
);
