/**
 * A browser stand-in for machines without one: follows the authorize URL through the consent page
 * (pressing "Allow and install" or "Cancel") and the redirects to pd-auth's callback, like a person
 * would. Used as `BROWSER="node dist/demo/scripted-browser.js [--cancel]"` by the demo and the tests.
 */

export interface BrowseResult {
  /** Every URL visited, in order. */
  visited: string[];
  status: number;
  body: string;
}

const decisionButton = (html: string, decision: 'allow' | 'cancel') => {
  const label = decision === 'allow' ? 'Allow and install' : 'Cancel';
  const re = /<button[^>]*name="([^"]+)"[^>]*value="([^"]+)"[^>]*>([^<]*)<\/button>/g;
  for (let m = re.exec(html); m; m = re.exec(html))
    if (m[3]?.trim() === label) return [m[1] ?? '', m[2] ?? ''] as const;
  return undefined;
};

function formFields(html: string): URLSearchParams {
  const fields = new URLSearchParams();
  const re = /<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) fields.append(m[1] ?? '', decodeEntities(m[2] ?? ''));
  return fields;
}

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

interface Page {
  status: number;
  location: string | null;
  body: string;
}

/** One request, like a browser's (node:http: it starts far faster than fetch, which matters in tests). */
async function request(url: string, form?: URLSearchParams): Promise<Page> {
  const target = new URL(url);
  const mod = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const body = form?.toString();
  return new Promise((resolve, reject) => {
    const req = mod.request(
      target,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent: false,
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location ?? null,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function browse(start: string, decision: 'allow' | 'cancel' = 'allow'): Promise<BrowseResult> {
  const visited: string[] = [];
  let url = start;
  let form: URLSearchParams | undefined;
  for (let hop = 0; hop < 12; hop++) {
    visited.push(url);
    const res = await request(url, form);
    form = undefined;
    if (res.status >= 300 && res.status < 400 && res.location) {
      url = new URL(res.location, url).toString();
      continue;
    }
    const button = res.status === 200 ? decisionButton(res.body, decision) : undefined;
    const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(res.body)?.[1];
    if (!button || !action) return { visited, status: res.status, body: res.body };
    form = formFields(res.body);
    form.append(button[0], button[1]);
    url = new URL(decodeEntities(action), url).toString();
  }
  throw new Error(`too many redirects from ${start}`);
}

const isMain =
  process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const args = process.argv.slice(2);
  const target = args.at(-1);
  if (!target) {
    process.stderr.write('usage: scripted-browser [--cancel] URL\n');
    process.exit(2);
  }
  browse(target, args.includes('--cancel') ? 'cancel' : 'allow').then(
    (r) => process.exit(r.status < 400 ? 0 : 1),
    (err: unknown) => {
      process.stderr.write(`scripted browser: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
