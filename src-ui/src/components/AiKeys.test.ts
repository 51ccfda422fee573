import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import AiKeys from "./AiKeys.svelte";
import { fakeInvoke } from "./fake-invoke";
import type { ProviderConfig } from "../ipc";

const claude: ProviderConfig = {
  id: "ai-1",
  provider: "anthropic",
  label: "Anthropic",
  baseUrl: "https://api.anthropic.com/v1",
  model: "claude-sonnet-4-5",
  addedAt: 1,
};

describe("AI keys", () => {
  it("adds a key through the engine, empties the field at once, tests it and says what it found", async () => {
    let kept: ProviderConfig[] = [];
    const { invoke, calls } = fakeInvoke({
      ai_providers: () => kept,
      add_ai_provider: ({ new: n }) => {
        const added = { id: "ai-2", provider: n.provider, label: n.label || "OpenAI", baseUrl: "https://api.openai.com/v1", model: n.model || "gpt-4.1-mini", addedAt: 2 };
        kept = [...kept, added];
        return added;
      },
      test_ai_provider: () => ({ detail: "the key works; 2 models available" }),
    });
    render(AiKeys, { invoke });
    const key = screen.getByLabelText("Key") as HTMLInputElement;
    await fireEvent.input(key, { target: { value: "sk-secret" } });
    await fireEvent.click(screen.getByRole("button", { name: "Add and test" }));
    expect(key.value, "the key is not kept in the window").toBe("");
    expect(await screen.findByText("the key works; 2 models available")).toBeTruthy();
    expect(calls.find((c) => c.cmd === "add_ai_provider")?.args).toEqual({
      new: { provider: "openAi", label: "", baseUrl: "", model: "", key: "sk-secret" },
    });
  });

  it("asks for the address of an OpenAI-compatible server, shows refusals and removes", async () => {
    const { invoke } = fakeInvoke({
      ai_providers: () => [claude],
      test_ai_provider: () => {
        throw { kind: "unauthorized", message: "Anthropic did not accept this key: check it, or make a new one in its dashboard" };
      },
      remove_ai_provider: () => [],
    });
    render(AiKeys, { invoke });
    await fireEvent.click(await screen.findByRole("button", { name: "Test" }));
    expect(await screen.findByText(/Anthropic did not accept this key/)).toBeTruthy();
    expect(screen.queryByLabelText("Address")).toBeNull();
    await fireEvent.change(screen.getByLabelText("Provider"), { target: { value: "compatible" } });
    expect(await screen.findByLabelText("Address")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Remove Anthropic" }));
    await vi.waitFor(() => expect(screen.queryByRole("list", { name: "Your AI providers" })).toBeNull());
  });
});
