// Vitest setup: DOM matchers, cleanup between tests, and the browser APIs
// Mantine uses that jsdom does not implement.
import '@testing-library/jest-dom/vitest';
import { notifications } from '@mantine/notifications';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

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
