import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** What design.md asks of src/ that a reader would otherwise have to check by hand. */
const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src');
const files = (readdirSync(src, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(src, f));
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
const name = (f: string) => relative(src, f);

/** Every relative import of a file, `import type` and dynamic import() included, as a .ts path. */
function imports(file: string): string[] {
  const found = (text.get(file) ?? '').matchAll(
    /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  );
  return [...found].map((m) => resolve(dirname(file), (m[1] ?? m[2] ?? '').replace(/\.js$/, '.ts')));
}

/** Each import cycle once, as the list of files around it. */
function cycles(): string[][] {
  const out: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of imports(f)) {
      if (!text.has(d)) continue;
      if (state.get(d) === 'open') out.push(stack.slice(stack.indexOf(d)).map(name));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return out;
}

describe('the layout of src/', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('has no import cycle, type-only imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('has no relative import that points at a missing file', () => {
    const missing = files.flatMap((f) =>
      imports(f)
        .filter((d) => !text.has(d))
        .map((d) => `${name(f)} -> ${d}`),
    );

    expect(missing).toEqual([]);
  });

  it('keeps files to about 150 lines, or says in the first comment why one is longer', () => {
    const long = files.filter((f) => {
      const body = text.get(f) ?? '';
      return body.split('\n').length > 160 && !/^\/\/ Over 150 lines/.test(body);
    });

    expect(long.map(name)).toEqual([]);
  });

  it('has comments that say why, never which issue asked', () => {
    const bin = join(root, 'bin/pd-auth.cjs');
    const all = [...files, bin].filter((f) =>
      /\bissue[ -]?#?\d+/i.test(text.get(f) ?? readFileSync(f, 'utf8')),
    );

    expect(all.map((f) => relative(root, f))).toEqual([]);
  });
});
