import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import AccountDialog from "./AccountDialog.svelte";
import { fakeInvoke } from "./fake-invoke";
import type { AccountStatus } from "../ipc";

const signedOut: AccountStatus = { account: null, sync: { state: "signedOut" }, defaultServer: "http://127.0.0.1:8080" };

describe("the account dialog", () => {
  it("says Create account and shows the password rule when creating, and names the mail after", async () => {
    const account = {
      server: "http://127.0.0.1:8080",
      email: "ada@example.com",
      userId: "u",
      displayName: "ada",
      blogId: "b",
      blogName: "Ada writes",
      blogRole: "owner",
      peerId: "p",
    };
    const { invoke, calls } = fakeInvoke({
      sign_in: () => ({ account, sync: { state: "connecting" }, defaultServer: null }),
    });
    const oncreated = vi.fn();
    const onstatus = vi.fn();
    render(AccountDialog, { invoke, status: signedOut, open: true, now: 0, onstatus, oncreated, onclose: vi.fn() });
    expect(screen.getByRole("button", { name: "Sign in" })).toBeTruthy();
    await fireEvent.click(screen.getByRole("checkbox", { name: "Create this account" }));
    expect(screen.getByRole("button", { name: "Create account" })).toBeTruthy();
    expect(screen.getByText(/at least 10 characters/).hidden).toBe(false);
    await fireEvent.input(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "correct horse battery" } });
    await fireEvent.submit(screen.getByRole("button", { name: "Create account" }).closest("form") as HTMLFormElement);
    await vi.waitFor(() => expect(onstatus).toHaveBeenCalled());
    expect(calls[0]?.args).toMatchObject({ form: { email: "ada@example.com", createAccount: true, server: "http://127.0.0.1:8080" } });
    expect(oncreated).toHaveBeenCalledWith(expect.stringContaining("ada@example.com"));
  });

  it("shows the server's refusal with the rule", async () => {
    const { invoke } = fakeInvoke({
      sign_in: () => {
        throw { kind: "refused", message: "password: use at least 10 characters (check these fields: password)" };
      },
    });
    render(AccountDialog, { invoke, status: signedOut, open: true, now: 0, onstatus: vi.fn(), oncreated: vi.fn(), onclose: vi.fn() });
    await fireEvent.submit(screen.getByRole("button", { name: "Sign in" }).closest("form") as HTMLFormElement);
    expect(await screen.findByText(/use at least 10 characters/)).toBeTruthy();
  });
});
