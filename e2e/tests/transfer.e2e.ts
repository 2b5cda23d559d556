import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  addTask,
  browserAvailable,
  expectLocator,
  newPage,
  screenshot,
  signUp,
  unexpectedErrors,
  useBrowser,
} from "../support/browser.ts";
import { untilServer } from "../support/server-state.ts";

describe.runIf(browserAvailable)("export and import on the account page", () => {
  const browser = useBrowser();

  it("exports a person's tasks as files and imports them into another account, once", async () => {
    const ada = await newPage(browser());
    await signUp(ada.page, "Ada Export");
    const titles = ["Sort the mail, carefully", "Water the plants"];
    for (const title of titles) await addTask(ada.page, title);
    // The creates are queued and sent in the background; the export reads the server.
    await untilServer(ada.page, (held) => expect(held.tasks.map((task) => task.title).sort()).toEqual(titles));
    await ada.page.goto("/account");
    const panel = ada.page.getByRole("region", { name: "Export and import" });

    const [json] = await Promise.all([
      ada.page.waitForEvent("download"),
      panel.getByRole("button", { name: "Export (JSON)" }).click(),
    ]);
    expect(json.suggestedFilename()).toMatch(/^brisk-export-\d{4}-\d{2}-\d{2}\.json$/);
    const file = await readFile(await json.path());
    const exported = JSON.parse(file.toString("utf8")) as { format: string; tasks: { title: string }[] };
    expect(exported.format).toBe("brisk");
    expect(exported.tasks.map((task) => task.title).sort()).toEqual(["Sort the mail, carefully", "Water the plants"]);

    const [csv] = await Promise.all([
      ada.page.waitForEvent("download"),
      panel.getByRole("button", { name: "Export (CSV)" }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    expect((await readFile(await csv.path())).toString("utf8")).toContain('"Sort the mail, carefully"');
    expect(unexpectedErrors(ada.errors)).toEqual([]);

    // Bea imports Ada's JSON: the tasks arrive, and a second import adds nothing.
    const bea = await newPage(browser());
    await signUp(bea.page, "Bea Import");
    await bea.page.goto("/account");
    const input = bea.page.getByLabel("Import", { exact: true });
    await input.setInputFiles({ name: "brisk-export.json", mimeType: "application/json", buffer: file });
    await expectLocator(bea.page.getByText("Imported 2 tasks.")).toBeVisible();
    await input.setInputFiles({ name: "brisk-export.json", mimeType: "application/json", buffer: file });
    await expectLocator(bea.page.getByText("Imported 0 tasks; 2 were already there.")).toBeVisible();

    // A file with a row it cannot read names the row and imports nothing.
    const broken = Buffer.from("title,priority\r\nFine,low\r\n,high\r\n", "utf8");
    await input.setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: broken });
    await expectLocator(bea.page.getByText("Row 3 (title): Title cannot be empty")).toBeVisible();
    await screenshot(bea.page, "transfer-refused-1280");

    await bea.page.goto("/tasks");
    await expectLocator(bea.page.getByRole("checkbox", { name: "Water the plants" })).toBeVisible();
    await expectLocator(bea.page.getByRole("checkbox", { name: "Sort the mail, carefully" })).toBeVisible();
    await expectLocator(bea.page.getByRole("checkbox", { name: "Fine" })).toHaveCount(0);
    expect(unexpectedErrors(bea.errors)).toEqual([]);
  });
});
