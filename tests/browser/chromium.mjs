// Headless Chromium as the browser tests use it: Debian's /usr/bin/chromium (CHROMIUM
// overrides) on a fresh profile, scripts off (the report pages have none), 1280 × 900.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

// Returns { context, page, requests (every URL the pages asked for), close() }.
// javaScriptEnabled: the report pages have no script; the serve test turns scripts on so
// that an archived page's scripts would run if the archive let them.
export async function launchChromium({ javaScriptEnabled = false } = {}) {
  const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
  assert.ok(fs.existsSync(chromiumPath),
            `${chromiumPath} missing: run scripts/install-browser.sh`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'census-chromium-'));
  // A persistent context on a fresh profile directory: that is Chromium's
  // --user-data-dir (playwright refuses the flag itself in `args`).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    javaScriptEnabled,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  return {
    context, page, requests,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
