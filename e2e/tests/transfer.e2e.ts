import { readFile } from "node:fs/promises";
import { addTask, screenshot, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";
import { untilServer } from "../support/server-state.ts";

test.describe("export and import on the account page", () => {
  test("exports a person's tasks as files and imports them into another account, once", async ({ newPage }) => {
    const ada = await newPage();
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

    // Bea imports Ada's JSON: the tasks arrive, and a second import adds nothing.
    const bea = await newPage();
    await signUp(bea.page, "Bea Import");
    await bea.page.goto("/account");
    const input = bea.page.getByLabel("Import", { exact: true });
    // The input stays disabled until its island has loaded. Playwright sets files on a disabled input
    // without waiting (no actionability check), and a file chosen then reaches no handler: wait for it.
    await expect(input).toBeEnabled();
    await input.setInputFiles({ name: "brisk-export.json", mimeType: "application/json", buffer: file });
    await expect(bea.page.getByText("Imported 2 tasks.").first()).toBeVisible();
    await input.setInputFiles({ name: "brisk-export.json", mimeType: "application/json", buffer: file });
    await expect(bea.page.getByText("Imported 0 tasks; 2 were already there.").first()).toBeVisible();

    // A file with a row it cannot read names the row and imports nothing.
    const broken = Buffer.from("title,priority\r\nFine,low\r\n,high\r\n", "utf8");
    await input.setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: broken });
    await expect(bea.page.getByText("Row 3 (title): Title cannot be empty").first()).toBeVisible();
    await screenshot(bea.page, "transfer-refused-1280");

    await bea.page.goto("/tasks");
    await expect(bea.page.getByRole("checkbox", { name: "Water the plants" })).toBeVisible();
    await expect(bea.page.getByRole("checkbox", { name: "Sort the mail, carefully" })).toBeVisible();
    await expect(bea.page.getByRole("checkbox", { name: "Fine" })).toHaveCount(0);
  });
});
