const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For element content and quoted attribute values alike. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

export type PageTone = 'success' | 'error' | 'info';

const colors: Record<PageTone, string> = { success: '#08a742', error: '#d93025', info: '#317ae2' };

/**
 * The pages pd-auth shows in the browser. Every dynamic piece goes through escapeHtml; the caller
 * never passes a token or secret (the result page says who logged in, nothing more).
 */
export function renderPage(tone: PageTone, title: string, lines: string[]): string {
  const body = lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n    ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>pd-auth: ${escapeHtml(title)}</title>
  <style>
    body { font-family: system-ui, sans-serif; background: #f5f6f7; color: #192435; margin: 0; }
    main { max-width: 36rem; margin: 4rem auto; background: #fff; border-radius: 8px; padding: 2rem;
           border-top: 6px solid ${colors[tone]}; box-shadow: 0 1px 4px rgba(0,0,0,.1); }
    h1 { font-size: 1.4rem; margin-top: 0; }
  </style>
</head>
<body>
  <main>
    <h1>${escapeHtml(title)}</h1>
    ${body}
  </main>
</body>
</html>
`;
}
