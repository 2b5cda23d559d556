import { z } from "@hono/zod-openapi";
import { generateKeyBetween } from "fractional-indexing";
import { positionKeyCap } from "../tasks/position.ts";
import { listColours } from "./lists.tables.ts";

/** The list contract (docs/tasks-api.md "Lists") in zod: validation and the OpenAPI document. */

export const ListId = z
  .uuid({ error: "List ids are UUIDs" })
  .openapi({ example: "0f8a3c52-6a0e-4c8e-9a47-3b1d2f5e7c90" });

export const ListColour = z
  .enum(listColours, { error: `The colour must be one of ${listColours.join(", ")}` })
  .openapi({ description: "A name from the fixed palette" });

const ListName = z
  .string({ error: "The name must be text" })
  .trim()
  .min(1, "The name cannot be empty")
  .max(100, "The name must be at most 100 characters")
  .refine((value) => value.isWellFormed() && !value.includes("\u0000"), "The name cannot contain NUL characters")
  .openapi({ example: "Groceries" });

/** A fractional-indexing key (github.com/rocicorp/fractional-indexing): the library itself says whether it is one. */
export function isPositionKey(value: string): boolean {
  if (!/^[A-Za-z][0-9A-Za-z]*$/.test(value)) return false;
  try {
    generateKeyBetween(value, null);
    return true;
  } catch {
    return false;
  }
}

/** A position key as a request carries it: also a task's (worker/src/tasks/tasks.schemas.ts). */
export const Position = z
  .string({ error: "The position must be text" })
  .max(positionKeyCap, `The position must be at most ${positionKeyCap} characters`)
  .refine(isPositionKey, "The position must be a fractional-indexing key such as a0 or a0V")
  .openapi({
    example: "a1",
    description:
      "Where the list sorts among the person's lists (byte order): a fractional-indexing key, made with " +
      "`generateKeyBetween(before, after)` so moving a list never renumbers the others",
  });

export const List = z
  .object({
    id: ListId,
    name: z.string(),
    colour: ListColour,
    position: z.string(),
    inbox: z.boolean().openapi({ description: "The person's Inbox: there is exactly one, and it cannot be deleted" }),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    version: z.number().int().min(1),
  })
  .openapi("List");

export const CreateList = z
  .object({
    id: ListId.optional(),
    name: ListName,
    colour: ListColour.default("grey"),
    position: Position.optional().openapi({ description: "Left out: after the person's last list" }),
  })
  .openapi("CreateList");

export const PatchList = z
  .object({ name: ListName.optional(), colour: ListColour.optional(), position: Position.optional() })
  .openapi("PatchList");

export const ListPath = z.object({
  userId: z.string().openapi({ param: { name: "userId", in: "path" }, description: "The signed-in user's id" }),
  id: ListId.openapi({ param: { name: "id", in: "path" } }),
});

export const DeleteListQuery = z.strictObject(
  {
    tasks: z
      .enum(["move", "delete"], {
        error: "Say what becomes of the list's tasks: ?tasks=move (to the Inbox) or ?tasks=delete",
      })
      .openapi({ description: "`move`: the list's tasks go to the Inbox; `delete`: they are deleted with it" }),
  },
  {
    error: (issue: z.core.$ZodRawIssue) =>
      issue.code === "unrecognized_keys" ? `Unknown parameter: ${issue.keys.join(", ")}` : undefined,
  },
);

export const ListDeleted = z
  .object({
    moved: z.number().int().openapi({ description: "Tasks moved to the Inbox" }),
    deleted: z.number().int().openapi({ description: "Tasks deleted with the list" }),
  })
  .openapi("ListDeleted");

export type ListOutput = z.output<typeof List>;
export type CreateListInput = z.output<typeof CreateList>;
export type PatchListInput = z.output<typeof PatchList>;
