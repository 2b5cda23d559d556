/**
 * Where the person is, for the due rules (worker/src/tasks/due.ts): the viewer's zone is
 * this browser's; the person's zone (the zone of a timed due date saved without one) is
 * the one in their profile, which the access token carries as `tz` — this browser's until
 * a token has said.
 */

let fromToken: string | undefined;

/** This browser's IANA zone ("UTC" if it cannot say). */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** The person's zone, from their profile (the access token's `tz`), else this browser's. */
export function personZone(): string {
  return fromToken ?? browserZone();
}

/** Called with each new access token's `tz`. */
export function setPersonZone(zone: string | undefined): void {
  fromToken = zone;
}
