import { useCallback, useRef } from 'react';

/**
 * Idempotency keys for money-moving mutations. The same input sent again
 * (a double click, a retry after a network error) carries the same key, so
 * the server replays its first answer instead of moving money twice; a
 * changed input gets a new key, since the server refuses a reused key with a
 * different input. `reset` forgets the keys once an operation succeeded.
 */
export function useIdempotencyKeys() {
  const keys = useRef(new Map<string, string>());
  const keyFor = useCallback((input: unknown) => {
    const fingerprint = JSON.stringify(input);
    let key = keys.current.get(fingerprint);
    if (key === undefined) {
      key = newKey();
      keys.current.set(fingerprint, key);
    }
    return key;
  }, []);
  const reset = useCallback(() => keys.current.clear(), []);
  return { keyFor, reset };
}

function newKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return `ui-${crypto.randomUUID()}`;
  }
  return `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
