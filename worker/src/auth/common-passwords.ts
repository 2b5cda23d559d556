import { commonPasswordCount, frontCodedCommonPasswords } from "./common-passwords.data.ts";

let passwords: Set<string> | undefined;

/** Decodes the bundled list once per isolate, on the first password check. */
function load(): Set<string> {
  const set = new Set<string>();
  let previous = "";
  for (const line of frontCodedCommonPasswords.split("\n")) {
    previous = previous.slice(0, Number(line[0])) + line.slice(1);
    set.add(previous);
  }
  if (set.size !== commonPasswordCount) throw new Error("the common-password list is corrupt");
  return set;
}

/** Whether a password is among the most common ones (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  passwords ??= load();
  return passwords.has(password.toLowerCase());
}
