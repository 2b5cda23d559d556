import { afterEach, describe, expect, it, vi } from "vitest";
import { browserZone, personZone, setPersonZone } from "./time-zone.ts";

afterEach(() => {
  vi.restoreAllMocks();
  setPersonZone(undefined);
});

function browserSays(timeZone: string) {
  vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockReturnValue({
    ...new Intl.DateTimeFormat("en", { timeZone: "UTC" }).resolvedOptions(),
    timeZone,
  });
}

describe("the zones the due rules use", () => {
  it("take the browser's zone when it is one the server accepts", () => {
    browserSays("Europe/Berlin");
    expect(browserZone()).toBe("Europe/Berlin");
  });

  it("read an abbreviation the server refuses (and Postgres misreads) as UTC", () => {
    browserSays("EST5EDT");
    expect(browserZone()).toBe("UTC");
  });

  it("take the person's zone from the token, and UTC when the token names none — as the server does", () => {
    browserSays("Europe/Berlin");
    setPersonZone("Asia/Tokyo");
    expect(personZone()).toBe("Asia/Tokyo");
    setPersonZone(undefined);
    expect(personZone()).toBe("UTC");
  });
});
