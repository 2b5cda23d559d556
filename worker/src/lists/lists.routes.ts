import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { respondJson } from "../json-text.ts";
import {
  etagHeaderFor,
  failures,
  json,
  jsonBody,
  notFoundFor,
  problemResponse,
  security,
  stale,
  writeFailures,
} from "../openapi-responses.ts";
import { problem } from "../problems.ts";
import { IfMatch, UserPath } from "../tasks/tasks.schemas.ts";
import { validationHook } from "../validation.ts";
import { accountGone, announce, answerCreate, answerWrite, etagOf, ifMatch } from "../versioned-writes.ts";
import { createList, deleteList, getList, type ListWriteResult, listLists, patchList } from "./lists.repo.ts";
import { CreateList, DeleteListQuery, List, ListDeleted, ListPath, PatchList } from "./lists.schemas.ts";

/**
 * The list routes (docs/tasks-api.md "Lists", docs/decisions/025-lists.md), with the task
 * routes' rules: bearer only (the same middleware in app.ts), another person's list is
 * 404, `If-Match` → 412, ETag, problem+json, one database round trip each.
 */

const collection = "/api/{userId}/lists";
const item = "/api/{userId}/lists/{id}";
const notFound = notFoundFor("list");
const etagHeader = etagHeaderFor("list");

export const listsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: "get",
      path: collection,
      operationId: "listLists",
      summary: "List the person's lists",
      description: "Every list of the person in their order (by `position`), the Inbox among them.",
      security,
      request: { params: UserPath },
      responses: { 200: json(z.array(List), "The lists"), ...failures },
    }),
    async (c) => respondJson(c, await listLists(c.var.db, c.var.userId), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: collection,
      operationId: "createList",
      summary: "Create a list",
      description:
        "With a client-chosen `id` the create is idempotent: the same body again answers 200 with the stored list, " +
        "another body under that id 409. Without `position` the list goes after the last one.",
      security,
      request: { params: UserPath, body: jsonBody(CreateList) },
      responses: {
        200: json(List, "The list already created with this id and body", etagHeader),
        201: json(List, "The new list", { ...etagHeader, Location: z.string() }),
        409: problemResponse("The id is already used by a different list"),
        ...writeFailures,
      },
    }),
    async (c) => {
      const result = await createList(c.var.db, c.var.userId, c.req.valid("json"));
      if (result.kind === "conflict") {
        throw problem("id_conflict", { detail: "A different list already uses this id; choose another id." });
      }
      if (result.kind === "no_account") throw accountGone();
      return answerCreate(
        c,
        "lists",
        { ...result.list, body: result.list },
        result.kind === "created" ? result.seq : undefined,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: item,
      operationId: "getList",
      summary: "Get a list",
      security,
      request: { params: ListPath },
      responses: { 200: json(List, "The list", etagHeader), ...failures, ...notFound },
    }),
    async (c) => {
      const list = await getList(c.var.db, c.var.userId, c.req.valid("param").id);
      if (!list) throw listNotFound();
      c.header("ETag", etagOf(list.version));
      return c.json(list, 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: item,
      operationId: "updateList",
      summary: "Rename, recolour or move a list",
      description: "Fields left out stay as they are. Honours `If-Match`.",
      security,
      request: { params: ListPath, headers: IfMatch, body: jsonBody(PatchList) },
      responses: { 200: json(List, "The list", etagHeader), ...writeFailures, ...notFound, ...stale },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      return respond(c, await patchList(c.var.db, c.var.userId, id, c.req.valid("json"), ifMatch(c)));
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: item,
      operationId: "deleteList",
      summary: "Delete a list, moving its tasks to the Inbox or deleting them",
      description:
        "`?tasks=move` moves the list's tasks to the Inbox, `?tasks=delete` deletes them (they leave tombstones in " +
        "the change feed); one transaction either way. The Inbox cannot be deleted (409). Honours `If-Match`.",
      security,
      request: { params: ListPath, query: DeleteListQuery, headers: IfMatch },
      responses: {
        200: json(ListDeleted, "The list is gone; what became of its tasks"),
        409: problemResponse("The Inbox cannot be deleted"),
        ...failures,
        ...notFound,
        ...stale,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const result = await deleteList(c.var.db, c.var.userId, id, c.req.valid("query").tasks, ifMatch(c));
      if (result.kind === "not_found") throw listNotFound();
      if (result.kind === "inbox") {
        throw problem("inbox_undeletable", {
          detail: "The Inbox is where tasks without a list go; it cannot be deleted. Rename it if you like.",
        });
      }
      if (result.kind === "stale") throw versionMismatch(result.version);
      announce(c, result.seq);
      return c.json({ moved: result.moved, deleted: result.deleted }, 200);
    },
  );

function respond(c: Context<AppEnv>, result: ListWriteResult) {
  if (result.kind === "not_found") throw listNotFound();
  if (result.kind === "stale") throw versionMismatch(result.version);
  return answerWrite(c, { version: result.list.version, body: result.list }, result.seq);
}

function listNotFound() {
  return problem("list_not_found", { detail: "There is no such list among yours." });
}

function versionMismatch(current: number) {
  return problem("list_version_mismatch", {
    detail: "The list changed since you last read it; nothing was changed. Reload it and try again.",
    headers: { ETag: etagOf(current) },
  });
}
