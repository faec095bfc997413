// One escaping function for every page pd-auth serves, the emulator's included.
export { escapeHtml } from '../ui/html.js';

import { escapeHtml } from '../ui/html.js';

/** The shared page frame; `body` must already be escaped HTML. */
export function emulatorPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1b; }
  .card { border: 1px solid #ddd; border-radius: 8px; padding: 1.5rem; }
  .note { background: #fff6d6; border-radius: 6px; padding: .5rem .75rem; font-size: .9rem; }
  dt { font-weight: 600; margin-top: .5rem; } dd { margin: 0; word-break: break-all; font-family: monospace; }
  button { font-size: 1rem; padding: .5rem 1rem; margin-right: .5rem; border-radius: 6px; cursor: pointer; }
  button.primary { background: #017737; color: #fff; border: 0; }
</style>
</head>
<body>
<div class="card">
${body}
</div>
</body>
</html>
`;
}

/** A description list of label → value pairs, values escaped. */
export function renderDetails(rows: ReadonlyArray<readonly [string, string | number]>): string {
  const items = rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`);
  return `<dl>${items.join('')}</dl>`;
}

export function renderErrorPage(title: string, message: string): string {
  return emulatorPage(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
