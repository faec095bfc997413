import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; playwright-core never downloads a browser of its own here. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * As root on a closed network: no sandbox, and none of Chromium's own background connections
 * (they are refused here, many at a time, and slow the start down).
 */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Chromium with a fresh, empty profile (`launch` uses a new temp user-data-dir). Close it after. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} is missing: install Debian's chromium package (apt-get install chromium)`,
    );
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** Every URL the page's main frame navigated to, redirects included, in order. */
export function recordNavigations(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (req) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) urls.push(req.url());
  });
  return urls;
}
