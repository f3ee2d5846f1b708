// Vitest setup: DOM matchers, cleanup between tests, and the browser APIs
// Mantine uses that jsdom does not implement.
import '@testing-library/jest-dom/vitest';
import { notifications } from '@mantine/notifications';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// The machine running the tests is shared and slow at times: give findBy*/waitFor
// room beyond the 1 s default (debounced previews alone take 350 ms).
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
  // The notifications store is module state: empty it so tests stay independent.
  notifications.clean();
  notifications.cleanQueue();
});

if (typeof window !== 'undefined') {
  window.matchMedia ??= (query: string): MediaQueryList => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    addListener: () => undefined,
    removeListener: () => undefined,
    dispatchEvent: () => false,
  });

  class NoopResizeObserver implements ResizeObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  window.ResizeObserver ??= NoopResizeObserver;

  Element.prototype.scrollIntoView ??= () => undefined;
}
