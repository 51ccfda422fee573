// For component tests: an `invoke` that answers each command from a table and records
// every call, so a test says what the engine answers and checks what the screen asked.

import type { ArgsOf, CommandName, Invoke, ResultOf } from "../ipc";

type Answers = { [C in CommandName]?: (args: ArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>> };

export function fakeInvoke(answers: Answers): { invoke: Invoke; calls: { cmd: CommandName; args: unknown }[] } {
  const calls: { cmd: CommandName; args: unknown }[] = [];
  const invoke = (async (cmd: CommandName, args?: unknown) => {
    calls.push({ cmd, args });
    const answer = answers[cmd] as ((a: unknown) => unknown) | undefined;
    if (!answer) throw { kind: "internal", message: `no answer for ${cmd} in this test` };
    return answer(args ?? {});
  }) as Invoke;
  return { invoke, calls };
}
