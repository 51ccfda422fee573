// The sync indicator in the bar and the account dialog behind it: sign in (server,
// email, password, blog; or create the account), and once signed in, who and where,
// "Sync now" (never needed) and "Sign out".

import type { AccountStatus, Invoke, SyncStatus } from "./ipc";
import { describeError } from "./ipc";
import { syncStatusLabel } from "./status";

export interface AccountElements {
  indicator: HTMLButtonElement;
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  server: HTMLInputElement;
  email: HTMLInputElement;
  password: HTMLInputElement;
  blog: HTMLInputElement;
  create: HTMLInputElement;
  /** The rules of a new account, shown while "Create this account" is ticked. */
  hint: HTMLElement;
  /** The notice, in the window, of where the verification mail went once an account was created. */
  verifyNotice: HTMLElement;
  verify: HTMLElement;
  dismissVerify: HTMLButtonElement;
  error: HTMLElement;
  signedIn: HTMLElement;
  who: HTMLElement;
  detail: HTMLElement;
  syncNow: HTMLButtonElement;
  signOut: HTMLButtonElement;
}

export class AccountPanel {
  private status: AccountStatus | null = null;

  constructor(
    private readonly invoke: Invoke,
    private readonly els: AccountElements,
    private readonly onChange: () => void,
  ) {
    els.indicator.addEventListener("click", () => this.openDialog());
    els.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.signIn();
    });
    els.create.addEventListener("change", () => this.showMode());
    els.dismissVerify.addEventListener("click", () => (els.verifyNotice.hidden = true));
    els.syncNow.addEventListener("click", () => void this.invoke("sync_now").catch(() => {}));
    els.signOut.addEventListener("click", () => void this.signOut());
    for (const close of els.dialog.querySelectorAll<HTMLButtonElement>("[data-close]")) {
      close.addEventListener("click", () => els.dialog.close());
    }
    // The retry countdown moves on by itself.
    setInterval(() => this.render(), 1000);
  }

  /** Signing in or creating an account: the button, the rules and the password manager follow. */
  private showMode(): void {
    const { create, hint, password, form } = this.els;
    const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
    if (submit) submit.textContent = signInLabel(create.checked);
    hint.hidden = !create.checked;
    password.autocomplete = create.checked ? "new-password" : "current-password";
  }

  async refresh(): Promise<void> {
    try {
      this.show(await this.invoke("account_status"));
    } catch (e) {
      this.els.indicator.textContent = `Sync: ${describeError(e)}`;
    }
  }

  /** A status pushed by the sync. */
  syncChanged(sync: SyncStatus): void {
    if (this.status) this.show({ ...this.status, sync });
    else void this.refresh();
  }

  private show(status: AccountStatus): void {
    this.status = status;
    this.render();
    this.onChange();
  }

  private render(): void {
    const s = this.status;
    if (!s) return;
    const { indicator, form, signedIn, who, detail } = this.els;
    indicator.dataset.state = s.sync.state;
    indicator.textContent = syncStatusLabel(s.sync, Date.now());
    const account = s.account;
    form.hidden = account !== null && s.sync.state !== "signInNeeded";
    signedIn.hidden = account === null;
    if (account) {
      who.textContent = `Signed in as ${account.email} to the blog “${account.blogName}” at ${account.server}.`;
      detail.textContent =
        s.sync.state === "offline" || s.sync.state === "signInNeeded"
          ? `${indicator.textContent} (${s.sync.reason})`
          : indicator.textContent;
      if (!this.els.server.value) this.els.server.value = account.server;
      if (!this.els.email.value) this.els.email.value = account.email;
    } else if (!this.els.server.value && s.defaultServer) {
      this.els.server.value = s.defaultServer;
    }
  }

  openDialog(): void {
    this.els.error.hidden = true;
    if (!this.els.dialog.open) this.els.dialog.showModal();
    const first = this.els.form.hidden ? this.els.syncNow : this.els.email;
    first.focus();
  }

  private async signIn(): Promise<void> {
    const { server, email, password, blog, create, error } = this.els;
    error.hidden = true;
    const submit = this.els.form.querySelector<HTMLButtonElement>("button[type=submit]");
    if (submit) submit.disabled = true;
    try {
      this.show(
        await this.invoke("sign_in", {
          form: {
            server: server.value,
            email: email.value,
            password: password.value,
            createAccount: create.checked,
            blog: blog.value,
          },
        }),
      );
      password.value = "";
      if (create.checked) {
        // The account exists now; its address is confirmed by the link the server mailed.
        this.els.verify.textContent = verifyNote(email.value);
        this.els.verifyNotice.hidden = false;
        create.checked = false;
        this.showMode();
      }
      this.els.dialog.close();
    } catch (e) {
      error.textContent = describeError(e);
      error.hidden = false;
    } finally {
      if (submit) submit.disabled = false;
    }
  }

  private async signOut(): Promise<void> {
    try {
      this.show(await this.invoke("sign_out"));
    } catch (e) {
      this.els.error.textContent = describeError(e);
      this.els.error.hidden = false;
    }
  }
}

/** The dialog's button: what pressing it will do. */
export function signInLabel(creating: boolean): string {
  return creating ? "Create account" : "Sign in";
}

/** Said once an account was created: the verification mail is on its way. */
export function verifyNote(email: string): string {
  return `Account created. We sent a link to ${email.trim()}: open it to confirm your address. You can write and sync meanwhile.`;
}
