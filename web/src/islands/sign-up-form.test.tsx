import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { navigation } from "../lib/navigation.ts";
import { authRefusal, FakeServer as FakeApi, json } from "../test/fake-server.ts";
import { SignUpForm } from "./sign-up-form.tsx";

function setUp(api: FakeApi) {
  window.history.replaceState(null, "", "/sign-up");
  api.install();
  const user = userEvent.setup();
  render(<SignUpForm />);
  return user;
}

async function fillIn(user: ReturnType<typeof userEvent.setup>, password: string) {
  await user.type(screen.getByRole("textbox", { name: "Name" }), "Ada Lovelace");
  await user.type(screen.getByRole("textbox", { name: "Email" }), "ada@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Create account" }));
}

describe("the sign-up form", () => {
  it("asks for at least 8 characters before asking the server", async () => {
    const api = new FakeApi();
    const user = setUp(api);
    await fillIn(user, "short");
    const password = screen.getByLabelText("Password");
    expect(password).toHaveAccessibleDescription(expect.stringContaining("Use at least 8 characters"));
    expect(password).toHaveFocus();
    expect(api.calls("POST", /sign-up/)).toHaveLength(0);
  });

  it.each([["PASSWORD_TOO_COMMON", 400, "Password", "This password is too common — pick another"]])(
    "puts the server's %s next to the field it is about",
    async (code, status, field, message) => {
      const api = new FakeApi().override("POST", /\/sign-up\/email$/, () => json({ code, message: "refused" }, status));
      const user = setUp(api);
      await fillIn(user, "password123");
      const input = field === "Email" ? screen.getByRole("textbox", { name: "Email" }) : screen.getByLabelText(field);
      await waitFor(() => expect(input).toHaveAccessibleDescription(expect.stringContaining(message)));
      expect(input).toHaveAttribute("aria-invalid", "true");
      expect(input).toHaveFocus();
    },
  );

  it("says the address has an account when signing in after the (uniform) sign-up fails", async () => {
    const api = new FakeApi()
      .override("POST", /\/sign-up\/email$/, () => json({ token: null, user: { id: "synthetic" } }))
      .override("POST", /\/sign-in\/email$/, () => authRefusal(401, "INVALID_EMAIL_OR_PASSWORD", "x"));
    const user = setUp(api);
    await fillIn(user, "password123");
    const input = screen.getByRole("textbox", { name: "Email" });
    await waitFor(() =>
      expect(input).toHaveAccessibleDescription(expect.stringContaining("An account with this email already exists")),
    );
    expect(navigation.assign).not.toHaveBeenCalled();
  });

  it("lands the new person on their task list, signed in after signing up", async () => {
    const api = new FakeApi()
      .override("POST", /\/sign-up\/email$/, () => json({ token: null, user: { id: "user-1" } }))
      .override("POST", /\/sign-in\/email$/, () => json({ token: "t", user: { id: "user-1" } }));
    const user = setUp(api);
    await fillIn(user, "correct horse battery");
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/tasks"));
    expect(api.calls("POST", /\/sign-in\/email$/)[0]?.body).toMatchObject({
      email: "ada@example.com",
      password: "correct horse battery",
    });
    // The person's zone comes from the browser at sign-up (docs/tasks-api.md, "The due model").
    expect(api.calls("POST", /\/sign-up\/email$/)[0]?.body).toEqual({
      name: "Ada Lovelace",
      email: "ada@example.com",
      password: "correct horse battery",
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
  });

  it("explains in words when the server does not trust this page's address", async () => {
    const api = new FakeApi().override("POST", /\/sign-up\/email$/, () =>
      authRefusal(403, "INVALID_ORIGIN", "Invalid origin"),
    );
    const user = setUp(api);
    await fillIn(user, "correct horse battery");

    const alert = await screen.findByRole("alert");
    await waitFor(() =>
      expect(alert).toHaveTextContent(
        "This page's address (http://localhost:4321) is not one this server trusts — open Brisk at the address it was set up with, or add http://localhost:4321 to TRUSTED_ORIGINS.",
      ),
    );
    expect(navigation.assign).not.toHaveBeenCalled();
  });
});
