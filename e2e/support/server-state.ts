import type { Page } from "@playwright/test";

/**
 * What the server holds for the signed-in person, read through the API from inside the page (its
 * session's token), for tests that must know a change has reached the server, not only the page.
 */

export interface Held {
  lists: { id: string; name: string; colour: string }[];
  tasks: { id: string; title: string; list: string }[];
}

/** The person's lists and tasks as the server holds them, read through the API from inside the page. */
export function serverHolds(page: Page): Promise<Held> {
  return page.evaluate(async () => {
    const answer = await fetch("/api/auth/token", { cache: "no-store" });
    const { token } = (await answer.json()) as { token: string };
    const { sub } = JSON.parse(atob((token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as {
      sub: string;
    };
    const read = async (path: string) => {
      const response = await fetch(`/api/${sub}/${path}`, { headers: { Authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
      return response.json();
    };
    return { lists: (await read("lists")) as Held["lists"], tasks: (await read("tasks?limit=100")) as Held["tasks"] };
  });
}

/** Polls the server until `check` passes (Playwright-style auto-waiting for state outside the page). */
export async function untilServer(page: Page, check: (held: Held) => void, timeoutMs = 30_000): Promise<Held> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = await serverHolds(page);
    try {
      check(held);
      return held;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
