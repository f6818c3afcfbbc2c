/** Error name and first line only: our messages carry ids, not content, and a stack is noise in a log line. */
export function describeError(err: unknown): { name: string; message: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: (e.message.split('\n')[0] ?? '').slice(0, 300) };
}
