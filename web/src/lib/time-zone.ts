/**
 * Where the person is, for the due rules (worker/src/tasks/due.ts): the viewer's zone is
 * this browser's; the person's zone (the zone of a timed due date saved without one) is
 * the one in their profile, which the access token carries as `tz` — this browser's until
 * a token has said.
 */

import { isZoneName } from "../../../worker/src/tasks/due.ts";

let fromToken: string | undefined;

/**
 * This browser's IANA zone; "UTC" if it cannot say, or names one the server refuses (an
 * abbreviation such as `EST5EDT`, which Postgres would read by its own table): the site then
 * counts days as the server would for a request with no `tz`.
 */
export function browserZone(): string {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone && isZoneName(zone) ? zone : "UTC";
  } catch {
    return "UTC";
  }
}

/** The person's zone, from their profile (the access token's `tz`), else this browser's. */
export function personZone(): string {
  return fromToken ?? browserZone();
}

/**
 * Called with each new access token's `tz`. A token without one is a person with no zone in their
 * profile (signed up before profiles had one): the server uses UTC for them, and so does the site.
 */
export function setPersonZone(zone: string | undefined): void {
  fromToken = zone ?? "UTC";
}
