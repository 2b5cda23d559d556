import { accessToken, forgetKeptToken, holdToken } from "./api-client.ts";
import { config } from "./config.ts";
import { lastUser, readLocal } from "./navigation.ts";

/**
 * The access token an earlier page of this browser kept (decision 039), taken up by /tasks as it starts,
 * so a cold visit reads the feed with no `/token` first. Only while fresh (the renewal margin) and only
 * when it names the person whose replica this browser holds (`brisk-user`, written with it): never one
 * person's token for another. Anything else found is removed. Its own module, so only /tasks ships it.
 */
export function adoptKeptToken(): void {
  const kept = readLocal(config.tokenStorageKey);
  if (kept === null) return;
  const found = accessToken(kept);
  if (found && found.userId === lastUser() && Date.now() < found.renewAt) holdToken(found);
  else forgetKeptToken();
}
