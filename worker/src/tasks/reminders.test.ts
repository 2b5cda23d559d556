import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { mailsTo } from "../../test/mailbox.ts";
import { clearFaults, injectFault, sql } from "../../test/stand-in-control.ts";
import { dueAtInstant, type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";
import worker from "../index.ts";
import { reminderMail } from "../mail/messages.ts";
import { describeBefore, durationSeconds, fireInstant, type Reminder, reminderKey } from "./reminders.ts";

/** Runs the every-minute Cron Trigger once, as Cloudflare would. */
async function runReminderCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function reminderMails(user: TaskUser) {
  return (await mailsTo(user.email)).filter((mail) => mail.subject.startsWith("Reminder:"));
}

/** A timed due `minutes` from now (UTC, to the minute). */
const dueIn = (minutes: number) => dueAtInstant(Date.now() + minutes * 60_000);

/**
 * Pretends the task's last change was an hour (or `hours`) ago, so a fire instant already passed
 * counts as one that came after it: the database's clock cannot be moved, the task's past can.
 */
async function backdate(id: string, hours = 1) {
  const shift = `interval '${hours} hours'`;
  await sql(
    `update tasks set updated_at = updated_at - ${shift}, reminded_through = reminded_through - ${shift} where id = $1`,
    [id],
  );
}

const nextReminderOf = async (id: string) =>
  (await sql<{ next: string | null }>("select next_reminder_at as next from tasks where id = $1", [id]))[0]?.next;

async function errorsOf(response: Response) {
  expect(response.status).toBe(422);
  const body = (await response.json()) as { errors: { path: string; message: string }[] };
  return [...new Set(body.errors.map((error) => error.path))];
}

beforeEach(async () => {
  await clearFaults();
});

describe("the reminder rules", () => {
  it("reads ISO 8601 durations in weeks, days, hours and minutes, up to four weeks", () => {
    expect(durationSeconds("PT0M")).toBe(0);
    expect(durationSeconds("PT15M")).toBe(900);
    expect(durationSeconds("PT1H")).toBe(3600);
    expect(durationSeconds("P1DT2H30M")).toBe(86_400 + 9000);
    expect(durationSeconds("P1W")).toBe(7 * 86_400);
    expect(durationSeconds("P28D")).toBe(28 * 86_400);
    for (const bad of ["P", "PT", "P1DT", "P29D", "P5W", "P1M", "P1Y", "PT30S", "15m", "-PT1H", "P1.5D", "pt1h"])
      expect(durationSeconds(bad), bad).toBeNull();
  });

  it("fires a `before` reminder that long before a timed due, in the due's zone, and an `at` one at its instant", () => {
    const due = { date: "2026-12-01", time: "17:00", timeZone: "Europe/Berlin" };
    expect(new Date(fireInstant({ before: "PT15M" }, due, "UTC") ?? 0).toISOString()).toBe("2026-12-01T15:45:00.000Z");
    expect(new Date(fireInstant({ before: "P1D" }, due, "UTC") ?? 0).toISOString()).toBe("2026-11-30T16:00:00.000Z");
    // A timed due without a zone is in the person's zone.
    const personal = { ...due, timeZone: null };
    expect(new Date(fireInstant({ before: "PT0M" }, personal, "America/New_York") ?? 0).toISOString()).toBe(
      "2026-12-01T22:00:00.000Z",
    );
    expect(fireInstant({ before: "PT15M" }, { ...due, time: null, timeZone: null }, "UTC")).toBeNull();
    expect(fireInstant({ at: "2026-12-01T08:00:00.000Z" }, null, "UTC")).toBe(Date.parse("2026-12-01T08:00:00Z"));
  });

  it("tells reminders apart by what they mean, and names them", () => {
    expect(reminderKey({ before: "PT60M" })).toBe(reminderKey({ before: "PT1H" }));
    expect(reminderKey({ at: "2026-12-01T10:00:00+02:00" } as Reminder)).toBe(
      reminderKey({ at: "2026-12-01T08:00:00Z" }),
    );
    expect(describeBefore("PT0M")).toBe("At due time");
    expect(describeBefore("PT15M")).toBe("15 minutes before");
    expect(describeBefore("P2D")).toBe("2 days before");
  });
});

describe("the reminder mail", () => {
  const base = { name: "Ada", title: "Pay <rent>", tasksUrl: "https://brisk.example/tasks" };
  it("says when a timed task is due in the person's zone, a day for an all-day one, nothing without a due", () => {
    const timed = reminderMail({
      ...base,
      dueDate: "2026-12-01",
      dueTime: "17:00",
      dueZone: "UTC",
      timeZone: "Europe/Berlin",
    });
    expect(timed.subject).toBe("Reminder: Pay <rent>");
    expect(timed.text).toContain("It is due Tue, 1 Dec 2026, 18:00 (Europe/Berlin).");
    expect(timed.text).toContain("https://brisk.example/tasks");
    expect(timed.text).not.toContain("works once");
    expect(timed.html).toContain("Pay &lt;rent&gt;");
    const allDay = reminderMail({ ...base, dueDate: "2026-12-01", dueTime: null, dueZone: null, timeZone: null });
    expect(allDay.text).toContain("It is due Tue, 1 Dec 2026.");
    const none = reminderMail({ ...base, dueDate: null, dueTime: null, dueZone: null, timeZone: null });
    expect(none.text).not.toContain("It is due");
  });
});

describe("reminders in the API", () => {
  it("defaults to none and carries reminders through create, get, list, PUT, PATCH and the change feed", async () => {
    const user = await taskUser();
    expect((await user.add()).reminders).toEqual([]);
    const task = await user.add({
      due: { date: "2030-01-02", time: "09:00", timeZone: "UTC" },
      reminders: [{ before: "PT15M" }, { at: "2030-01-01T20:00:00+01:00" }],
    });
    expect(task.reminders).toEqual([{ before: "PT15M" }, { at: "2030-01-01T19:00:00.000Z" }]);
    expect(((await (await user.get(task.id)).json()) as TaskJson).reminders).toEqual(task.reminders);
    const listed = (await (await user.list()).json()) as TaskJson[];
    expect(listed.find((one) => one.id === task.id)?.reminders).toEqual(task.reminders);
    const patched = await user.patch(task.id, { reminders: [{ before: "P1D" }] });
    expect(((await patched.json()) as TaskJson).reminders).toEqual([{ before: "P1D" }]);
    const replaced = await user.put(task.id, { title: "Replaced" });
    expect(((await replaced.json()) as TaskJson).reminders).toEqual([]);
    await user.patch(task.id, { reminders: [{ at: "2030-01-01T00:00:00Z" }] });
    const feed = (await (await user.send("/changes")).json()) as { changes: TaskJson[] };
    expect(feed.changes.find((one) => one.id === task.id)?.reminders).toEqual([{ at: "2030-01-01T00:00:00.000Z" }]);
    // `null` in a merge patch resets them.
    expect(((await (await user.patch(task.id, { reminders: null })).json()) as TaskJson).reminders).toEqual([]);
  });

  it("a replayed create with the same reminders is recognised; other reminders under the same id conflict", async () => {
    const user = await taskUser();
    const id = crypto.randomUUID();
    const body = { id, title: "Same", reminders: [{ at: "2030-01-01T00:00:00Z" }] };
    expect((await user.create(body)).status).toBe(201);
    expect((await user.create(body)).status).toBe(200);
    expect((await user.create({ ...body, reminders: [] })).status).toBe(409);
  });

  it("refuses bad reminders with 422 naming each one's field", async () => {
    const user = await taskUser();
    const due = { date: "2030-01-02", time: "09:00", timeZone: null };
    const create = (reminders: unknown, withDue: unknown = due) => user.create({ title: "R", due: withDue, reminders });
    expect(await errorsOf(await create([{ before: "PT30S" }]))).toEqual(["reminders.0.before"]);
    expect(await errorsOf(await create([{ before: "P1M" }]))).toEqual(["reminders.0.before"]);
    expect(await errorsOf(await create([{ before: "PT1H" }, { before: "P29D" }]))).toEqual(["reminders.1.before"]);
    expect(await errorsOf(await create([{ at: "tomorrow" }]))).toEqual(["reminders.0.at"]);
    expect(await errorsOf(await create([{ at: "2030-01-01T10:00:00" }]))).toEqual(["reminders.0.at"]);
    expect(await errorsOf(await create([{ before: "PT1H", at: "2030-01-01T10:00:00Z" }]))).toEqual(["reminders.0"]);
    expect(await errorsOf(await create([{}]))).toEqual(["reminders.0"]);
    expect(await errorsOf(await create([{ after: "PT1H" }]))).toEqual(["reminders.0"]);
    expect(await errorsOf(await create("PT1H"))).toEqual(["reminders"]);
    expect(await errorsOf(await create([{ before: "PT1H" }, { before: "PT60M" }]))).toEqual(["reminders.1.before"]);
    const six = ["PT0M", "PT5M", "PT10M", "PT15M", "PT20M", "PT25M"].map((before) => ({ before }));
    expect(await errorsOf(await create(six))).toEqual(["reminders"]);
    // `before` needs a timed due; `at` does not.
    expect(await errorsOf(await create([{ before: "PT15M" }], null))).toEqual(["reminders.0.before"]);
    expect(await errorsOf(await create([{ before: "PT15M" }], { date: "2030-01-02" }))).toEqual(["reminders.0.before"]);
    expect((await create([{ at: "2030-01-01T10:00:00Z" }], null)).status).toBe(201);
  });

  it("refuses a PATCH that would leave `before` reminders without a timed due, whichever field it changes", async () => {
    const user = await taskUser();
    const untimed = await user.add({ due: { date: "2030-01-02" } });
    expect(await errorsOf(await user.patch(untimed.id, { reminders: [{ before: "PT15M" }] }))).toEqual(["reminders"]);
    const timed = await user.add({ due: dueIn(600), reminders: [{ before: "PT15M" }] });
    expect(await errorsOf(await user.patch(timed.id, { due: null }))).toEqual(["reminders"]);
    expect(await errorsOf(await user.patch(timed.id, { due: { date: "2030-01-02" } }))).toEqual(["reminders"]);
    expect(await errorsOf(await user.patch(timed.id, { due: null, reminders: [{ before: "PT5M" }] }))).toEqual([
      "reminders.0.before",
    ]);
    // Both together is fine; nothing was changed by the refusals.
    expect((await user.patch(timed.id, { due: null, reminders: [] })).status).toBe(200);
    expect(((await (await user.get(untimed.id)).json()) as TaskJson).version).toBe(1);
  });
});

describe("the Cron Trigger mails each due reminder exactly once", () => {
  it("mails a due reminder once, with the title, the due time in the person's zone and a link to /tasks", async () => {
    const user = await taskUser({ timeZone: "Europe/Berlin" });
    const task = await user.add({ title: "Call the dentist", due: dueIn(10), reminders: [{ before: "PT15M" }] });
    // Its instant (5 minutes ago) passed before the task was created: not mailed late.
    expect(await nextReminderOf(task.id)).toBeNull();
    await runReminderCron();
    expect(await reminderMails(user)).toHaveLength(0);

    await backdate(task.id);
    expect(await nextReminderOf(task.id)).not.toBeNull();
    await runReminderCron();
    await runReminderCron();
    const mails = await reminderMails(user);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.subject).toBe("Reminder: Call the dentist");
    expect(mail?.text).toContain("(Europe/Berlin)");
    expect(mail?.text).toContain("http://localhost/tasks");
    expect(await nextReminderOf(task.id)).toBeNull();
  });

  it("mails each of several reminders of a task in turn, and a moved due re-arms them", async () => {
    const user = await taskUser();
    const task = await user.add({
      title: "Moving",
      due: dueIn(50),
      reminders: [{ before: "PT1H" }, { before: "PT2H" }],
    });
    await backdate(task.id, 3);
    await runReminderCron();
    expect(await reminderMails(user)).toHaveLength(2);
    // A new due (as completing a recurring task gives) makes new fire instants: they fire again.
    const moved = await user.patch(task.id, { due: dueIn(55) });
    expect(moved.status).toBe(200);
    await backdate(task.id, 3);
    await runReminderCron();
    expect(await reminderMails(user)).toHaveLength(4);
    await runReminderCron();
    expect(await reminderMails(user)).toHaveLength(4);
  });

  it("does not remind of a completed task, nor of a deleted one", async () => {
    const user = await taskUser();
    const done = await user.add({ due: dueIn(10), reminders: [{ before: "PT15M" }] });
    const gone = await user.add({ due: dueIn(10), reminders: [{ before: "PT15M" }] });
    expect((await user.complete(done.id)).status).toBe(200);
    expect((await user.remove(gone.id)).status).toBe(204);
    await backdate(done.id);
    expect(await nextReminderOf(done.id)).toBeNull();
    await runReminderCron();
    expect(await reminderMails(user)).toHaveLength(0);
  });

  it("passes over a reminder more than a day late instead of mailing it", async () => {
    const user = await taskUser();
    const task = await user.add({ due: dueIn(10), reminders: [{ before: "P2D" }, { before: "PT15M" }] });
    await backdate(task.id, 72);
    await runReminderCron();
    const mails = await reminderMails(user);
    expect(mails).toHaveLength(1);
    expect(await sql("select count(*)::int as n from reminder_deliveries where task_id = $1", [task.id])).toEqual([
      { n: 1 },
    ]);
  });

  it("two overlapping runs mail each reminder once", async () => {
    const user = await taskUser();
    const tasks = await Promise.all(
      [1, 2, 3].map((n) => user.add({ title: `Overlap ${n}`, due: dueIn(10), reminders: [{ before: "PT15M" }] })),
    );
    for (const task of tasks) await backdate(task.id);
    await Promise.all([runReminderCron(), runReminderCron(), runReminderCron()]);
    const subjects = (await reminderMails(user)).map((mail) => mail.subject).sort();
    expect(subjects).toEqual(["Reminder: Overlap 1", "Reminder: Overlap 2", "Reminder: Overlap 3"]);
  });

  it.each([
    ["the claim's answer is lost", { match: 'insert into "reminder_deliveries"', action: "lose-response" as const }],
    [
      "the claim is rolled back (40001)",
      { match: 'insert into "reminder_deliveries"', action: "sqlstate" as const, code: "40001" },
    ],
    [
      "the claim never reaches the database",
      { match: 'insert into "reminder_deliveries"', action: "fail" as const, status: 503 },
    ],
    ["marking it sent loses its answer", { match: 'update "reminder_deliveries"', action: "lose-response" as const }],
  ])("when %s", async (_, fault) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const user = await taskUser();
    const task = await user.add({ title: "Faulty", due: dueIn(10), reminders: [{ before: "PT15M" }] });
    await backdate(task.id);
    await injectFault(fault);
    await runReminderCron();
    await runReminderCron();
    expect(await reminderMails(user)).toHaveLength(1);
    vi.restoreAllMocks();
  });

  it("a mail that could not be sent is tried again by the next run, and then only once", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const user = await taskUser();
    const task = await user.add({ title: "Retry me", due: dueIn(10), reminders: [{ before: "PT15M" }] });
    await backdate(task.id);
    await injectFault({ match: 'insert into "dev_mail"', action: "fail", status: 503 });
    await expect(runReminderCron()).resolves.toBeUndefined();
    expect(await reminderMails(user)).toHaveLength(0);
    expect(errors.mock.calls.some(([line]) => String(line).includes('"reminder not sent"'))).toBe(true);
    await runReminderCron();
    await runReminderCron();
    expect(await reminderMails(user)).toHaveLength(1);
    vi.restoreAllMocks();
  });
});
