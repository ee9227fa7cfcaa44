/** Polls a URL until it answers 2xx/3xx (or 401: up, but behind a login). */
export async function waitForHttp(
  url: string,
  options: { timeoutMs: number; intervalMs?: number; abort?: Promise<string> },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let aborted: string | undefined;
  options.abort?.then((reason) => {
    aborted = reason;
  });
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (aborted) throw new Error(aborted);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 400 || response.status === 401) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  throw new Error(`${url} did not answer within ${options.timeoutMs} ms (last: ${last})`);
}
