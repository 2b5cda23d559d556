import { generateNKeysBetween } from "fractional-indexing";
import { v5 as uuidV5 } from "uuid";
import { CreateList } from "../lists/lists.schemas.ts";
import { ImportedList, type ImportedListInput } from "./transfer.schemas.ts";

/**
 * Which list each imported task goes into, and which lists the import creates
 * (docs/decisions/028-export-and-import.md "Lists"). A Brisk JSON file brings its lists
 * with their ids, mapped as tasks' ids are; a Brisk CSV names lists; Todoist's CSV goes
 * into the Inbox. Pure: the importer's lists are read before (transfer.repo.ts).
 */

/** One of the importer's lists, as read before the import. */
export interface OwnList {
  id: string;
  name: string;
  inbox: boolean;
  position: string;
}

/**
 * Where a task goes: the importer's Inbox, or a list by id — with `otherwiseId`, a list
 * the import may create, whose id is replaced by `otherwiseId` when another person holds it.
 */
export type ListRef = "inbox" | { id: string; otherwiseId?: string };

/** A list the import creates unless the importer already has its id (then it is skipped, like a task). */
export type NewList = Omit<ImportedListInput, "inbox" | "position"> & { otherwiseId: string; position: string };

export interface Issue {
  path: string;
  message: string;
}

export function listResolver(own: OwnList[], userNamespace: string) {
  const ownIds = new Set(own.map((list) => list.id));
  const ownByName = new Map<string, OwnList>();
  for (const list of own) {
    const key = nameKey(list.name);
    // Two lists of one name: the first in the person's order (the Inbox sorts by its position too).
    const earlier = ownByName.get(key);
    if (!earlier || list.position < earlier.position) ownByName.set(key, list);
  }
  /** The file's lists by their id in the file. */
  const fileLists = new Map<string, ListRef>();
  const created: (Omit<NewList, "position"> & { position?: string })[] = [];
  const createdByName = new Map<string, ListRef>();
  const otherwise = (id: string) => uuidV5(`list:${id}`, userNamespace);

  return {
    /** A Brisk JSON file's `lists`: each validated (errors as `lists.N.field`), the Inbox mapped onto the importer's. */
    readFileLists(raw: unknown[]): Issue[] {
      const errors: Issue[] = [];
      let inboxAt: number | undefined;
      raw.forEach((item, i) => {
        const at = `lists.${i + 1}`;
        const parsed = ImportedList.safeParse(item);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            const field = issue.path.map(String).join(".");
            errors.push({ path: field ? `${at}.${field}` : at, message: issue.message });
          }
          return;
        }
        const { inbox, position, ...list } = parsed.data;
        if (fileLists.has(list.id)) {
          errors.push({ path: `${at}.id`, message: "The same id as an earlier list in the file" });
          return;
        }
        if (inbox) {
          if (inboxAt !== undefined) {
            errors.push({ path: `${at}.inbox`, message: `A file has one Inbox: list ${inboxAt} is the Inbox` });
            return;
          }
          inboxAt = i + 1;
          fileLists.set(list.id, "inbox");
          return;
        }
        const otherwiseId = otherwise(list.id);
        fileLists.set(list.id, { id: list.id, otherwiseId });
        created.push({ ...list, otherwiseId, ...(position === undefined ? {} : { position }) });
      });
      return errors;
    },

    /** A JSON task's `list`: the Inbox when absent, else a list of the file's or one of the importer's. */
    byId(id: string | undefined): ListRef | undefined {
      if (id === undefined) return "inbox";
      return fileLists.get(id) ?? (ownIds.has(id) ? { id } : undefined);
    },

    /** A CSV `list` cell: the importer's list of that name (any case), else a new one made once; empty → Inbox. */
    byName(cell: string): ListRef | { error: string } {
      if (cell.trim() === "") return "inbox";
      const name = CreateList.shape.name.safeParse(cell);
      if (!name.success) return { error: name.error.issues[0]?.message ?? "Not a list name" };
      const key = nameKey(name.data);
      const mine = ownByName.get(key);
      if (mine) return mine.inbox ? "inbox" : { id: mine.id };
      const earlier = createdByName.get(key);
      if (earlier) return earlier;
      // The same name gives the same id in every import of it: a second import finds the list there.
      const id = uuidV5(`list-name:${key}`, userNamespace);
      const ref = { id, otherwiseId: otherwise(id) };
      createdByName.set(key, ref);
      created.push({ id, otherwiseId: ref.otherwiseId, name: name.data, colour: "grey" });
      return ref;
    },

    /** The lists to create; those without a position go after the importer's last list, in the file's order. */
    newLists(): NewList[] {
      const last = own.reduce<string | null>(
        (max, list) => (max === null || list.position > max ? list.position : max),
        null,
      );
      const unplaced = created.filter((list) => list.position === undefined);
      const keys = generateNKeysBetween(last, null, unplaced.length);
      return created.map((list) => ({
        ...list,
        position: list.position ?? (keys[unplaced.indexOf(list)] as string),
      }));
    },
  };
}

/** Names match without regard to case or surrounding spaces. */
const nameKey = (name: string) => name.trim().toLowerCase();
