import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../../src/ui/browser.js';
import { formatDuration, formatExpiry, maskSecret } from '../../../src/ui/format.js';
import { escapeHtml, renderPage } from '../../../src/ui/html.js';
import { createLogger } from '../../../src/ui/logger.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('escapeHtml', () => {
  it('escapes & < > " and \'', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
    );
  });

  it('escapes an ampersand only once', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('Logged in as Emma Ulator (emma@example.test) ✓')).toBe(
      'Logged in as Emma Ulator (emma@example.test) ✓',
    );
  });
});

describe('renderPage', () => {
  it('shows the title in <title> and <h1>', () => {
    const html = renderPage('success', 'Logged in', []);

    expect(html).toContain('<title>pd-auth: Logged in</title>');
    expect(html).toContain('<h1>Logged in</h1>');
  });

  it('puts each line in its own paragraph', () => {
    const html = renderPage('info', 'T', ['one', 'two']);

    expect(html).toContain('<p>one</p>');
    expect(html).toContain('<p>two</p>');
  });

  it('escapes the title', () => {
    const html = renderPage('error', '<script>alert(1)</script>', []);

    expect(html).not.toContain('<script');
    expect(html).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
  });

  it('escapes every line', () => {
    const html = renderPage('error', 'Failed', ['<img src=x onerror=alert(1)>', 'a "quoted" & \'odd\' line']);

    expect(html).not.toContain('<img');
    expect(html).toContain('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(html).toContain('<p>a &quot;quoted&quot; &amp; &#39;odd&#39; line</p>');
  });

  it('colours the page by tone', () => {
    expect(renderPage('success', 'T', [])).toContain('#08a742');
    expect(renderPage('error', 'T', [])).toContain('#d93025');
    expect(renderPage('info', 'T', [])).toContain('#317ae2');
  });

  it('is a complete document without referrers', () => {
    const html = renderPage('info', 'T', []);

    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });
});

describe('maskSecret', () => {
  it('says "(not set)" for undefined', () => {
    expect(maskSecret(undefined)).toBe('(not set)');
  });

  it('says "(not set)" for an empty string', () => {
    expect(maskSecret('')).toBe('(not set)');
  });

  it('hides a short secret entirely', () => {
    expect(maskSecret('abcdefghijkl')).toBe('••••••••');
  });

  it('shows only the first and last 4 characters of a long secret', () => {
    expect(maskSecret('0123456789abcdef0123456789abcdef01234567')).toBe('0123…4567');
  });

  it('shows first and last 4 from 13 characters on', () => {
    expect(maskSecret('abcdefghijklm')).toBe('abcd…jklm');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-5000, '0s'],
    [499, '0s'],
    [59_000, '59s'],
    [minute, '1m'],
    [90_000, '1m 30s'],
    [59 * minute + 59_000, '59m 59s'],
    [hour, '1h'],
    [hour + 30 * minute, '1h 30m'],
    [47 * hour + 59 * minute, '47h 59m'],
    [48 * hour, '2d'],
    [60 * day, '60d'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('rounds 59.5 s up to 1m rather than printing 60s', () => {
    expect(formatDuration(59_500)).toBe('1m');
  });
});

describe('formatExpiry', () => {
  const at = Date.UTC(2026, 10, 26, 20, 7, 0);

  it('gives the UTC time and how long until it', () => {
    expect(formatExpiry(at, at - 3_599_000)).toBe('2026-11-26 20:07 UTC (in 59m 59s)');
  });

  it('gives the UTC time and how long ago it was', () => {
    expect(formatExpiry(at, at + 5 * minute)).toBe('2026-11-26 20:07 UTC (5m ago)');
  });

  it('says "in 0s" at the exact moment', () => {
    expect(formatExpiry(at, at)).toBe('2026-11-26 20:07 UTC (in 0s)');
  });

  it('counts days for a refresh token 60 days away', () => {
    expect(formatExpiry(at + 60 * day, at)).toBe('2027-01-25 20:07 UTC (in 60d)');
  });
});

describe('splitCommand', () => {
  it('splits words on whitespace', () => {
    expect(splitCommand('firefox  --new-window\t-P dev')).toEqual(['firefox', '--new-window', '-P', 'dev']);
  });

  it('keeps a double-quoted path together', () => {
    expect(splitCommand('"/Applications/Google Chrome.app/chrome" --incognito')).toEqual([
      '/Applications/Google Chrome.app/chrome',
      '--incognito',
    ]);
  });

  it('keeps a single-quoted word together', () => {
    expect(splitCommand("open -a 'Firefox Developer Edition'")).toEqual([
      'open',
      '-a',
      'Firefox Developer Edition',
    ]);
  });

  it('keeps an empty quoted word', () => {
    expect(splitCommand('cmd "" x')).toEqual(['cmd', '', 'x']);
  });

  it('gives no words for an empty or blank command', () => {
    expect(splitCommand('')).toEqual([]);
    expect(splitCommand('   ')).toEqual([]);
  });
});

describe('createLogger', () => {
  it('writes debug lines to the stream when verbose', () => {
    const out = sink();
    const log = createLogger(out.stream, () => true);

    log.debug('POST /oauth/token');

    expect(out.text()).toBe('[debug] POST /oauth/token\n');
  });

  it('prints nothing when not verbose', () => {
    const out = sink();
    const log = createLogger(out.stream, () => false);

    log.debug('POST /oauth/token');

    expect(out.text()).toBe('');
  });

  it('masks every occurrence of a registered secret', () => {
    const out = sink();
    const log = createLogger(out.stream, () => true);
    log.redact('v1u:AQIBAHj+abc=');

    log.debug('token v1u:AQIBAHj+abc= and again v1u:AQIBAHj+abc=');

    expect(out.text()).toBe('[debug] token *** and again ***\n');
  });

  it('masks several registered secrets', () => {
    const out = sink();
    const log = createLogger(out.stream, () => true);
    log.redact('client-secret-1');
    log.redact('1:1:2a5496a8bdd0');

    log.debug('secret=client-secret-1 refresh=1:1:2a5496a8bdd0');

    expect(out.text()).toBe('[debug] secret=*** refresh=***\n');
  });

  it('masks a secret that contains another registered secret completely', () => {
    const out = sink();
    const log = createLogger(out.stream, () => true);
    log.redact('abcdef');
    log.redact('abcdef-the-longer-secret');

    log.debug('value abcdef-the-longer-secret');

    expect(out.text()).not.toContain('the-longer-secret');
    expect(out.text()).toBe('[debug] value ***\n');
  });

  it('ignores undefined and values shorter than 6 characters', () => {
    const out = sink();
    const log = createLogger(out.stream, () => true);
    log.redact(undefined);
    log.redact('token');

    log.debug('the token is fine');

    expect(out.text()).toBe('[debug] the token is fine\n');
  });

  it('reads verbosity at each call', () => {
    const out = sink();
    let verbose = false;
    const log = createLogger(out.stream, () => verbose);
    log.debug('hidden');

    verbose = true;
    log.debug('shown');

    expect(log.verbose).toBe(true);
    expect(out.text()).toBe('[debug] shown\n');
  });
});
