// Run `f` once, `ms` after the last call.
export function debounce(f: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      f();
    }, ms);
  };
}
