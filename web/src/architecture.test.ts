import { describe, expect, it } from 'vitest';

/**
 * The layout the UI keeps: features (src/features/<name>) may use each other
 * only one way round, and the shared layers (lib, components, shared, auth)
 * never reach into a feature. A cycle makes a feature impossible to read or
 * move alone; this test names the imports that close one.
 */

// Every hand-written module's source (src/gql is generated).
const sources = import.meta.glob(['./**/*.{ts,tsx}', '!./gql/**', '!./**/*.test.{ts,tsx}'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** "./features/orders/OrderPage.tsx" importing "../../lib/format" → "./lib/format.ts". */
function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) {
    return undefined;
  }
  const parts = from.split('/').slice(0, -1);
  for (const part of spec.split('/')) {
    if (part === '..') {
      parts.pop();
    } else if (part !== '.') {
      parts.push(part);
    }
  }
  const base = parts.join('/');
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`].find((p) => p in sources);
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g;

const graph = new Map<string, string[]>();
for (const [file, text] of Object.entries(sources)) {
  const targets: string[] = [];
  for (const match of text.matchAll(importPattern)) {
    const target = resolveImport(file, match[1] ?? '');
    if (target) {
      targets.push(target);
    }
  }
  graph.set(file, targets);
}

/** The feature a module belongs to, or undefined for the shared layers. */
function featureOf(file: string): string | undefined {
  return /^\.\/features\/([^/]+)\//.exec(file)?.[1];
}

/** Every cycle's members, found by depth-first search (each reported once, from its first member). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') {
        found.push([...stack.slice(stack.indexOf(next)), next]);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  [...edges.keys()].sort().forEach((node) => state.has(node) || visit(node));
  return found;
}

describe('the UI’s import graph', () => {
  it('reads the modules', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    expect(graph.get('./features/orders/OrderPage.tsx')).toContain('./components/Page.tsx');
  });

  it('has no cycle between features', () => {
    const features = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      const from = featureOf(file);
      for (const target of targets) {
        const to = featureOf(target);
        if (from && to && from !== to) {
          features.set(from, (features.get(from) ?? new Set()).add(to));
        }
      }
    }
    expect(cycles(features).map((c) => c.join(' → '))).toEqual([]);
  });

  it('has no cycle between modules', () => {
    const modules = new Map([...graph].map(([file, targets]) => [file, new Set(targets)]));
    expect(cycles(modules).map((c) => c.join(' → '))).toEqual([]);
  });

  it('keeps the shared layers out of the features', () => {
    const reaching = [...graph].flatMap(([file, targets]) =>
      featureOf(file) || file.startsWith('./pages/') || /^\.\/(App|routes|main)\.tsx$/.test(file)
        ? []
        : targets.filter((t) => featureOf(t)).map((t) => `${file} → ${t}`),
    );
    expect(reaching).toEqual([]);
  });
});
