// The account dialog's words.

/** The dialog's button: what pressing it will do. */
export function signInLabel(creating: boolean): string {
  return creating ? "Create account" : "Sign in";
}

/** Said once an account was created: the verification mail is on its way. */
export function verifyNote(email: string): string {
  return `Account created. We sent a link to ${email.trim()}: open it to confirm your address. You can write and sync meanwhile.`;
}
