// Browser test of the region pages (docs/REPORT.md "report.html and the region pages"):
// a census with sites in several regions is rendered by the real `census` binary
// (`census render-report`, which writes through the ReportWriter census run uses); headless
// Chromium opens report.html, follows the link of a region and checks that region's page
// holds exactly its sites. Then a region page of 5,000 sites is generated and opened, and
// the time it takes is recorded (OUT_DIR/region-page-timing.json; not asserted: machines
// differ). Needs scripts/install-browser.sh (chromium + npm ci here).
//
//   CENSUS_BIN=build/cmd/census OUT_DIR=build/tests/browser node --test report_regions.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const censusBin = process.env.CENSUS_BIN;
const outDir = process.env.OUT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'census-browser-'));
const fixture = JSON.parse(fs.readFileSync(path.join(here, 'fixture', 'report.json'), 'utf8'));

const HUANGSHI = '湖北省黄石市';
const SHIYAN = '湖北省十堰市';
// The fixture's five sites in two regions, and one without a region.
const regionOf = {
  '4201000001': HUANGSHI, // 武汉市人民政府, pass
  '4202020002': HUANGSHI, // 黄石市下陆区人民政府, fail
  '4203000003': SHIYAN, //   十堰市<教育局> & “测试”, fail
  '4205000004': SHIYAN, //   宜昌市交通运输局, unreachable
  '4206000005': '', //       襄阳市人民政府, pass
};
const LARGE_SITES = 5000;
const SITES_PER_PAGE = 100;  // HtmlNotice::kRegionSitesPerPage

let browser;
let context;
let page;
let requests;

// Writes `report` as OUT_DIR/NAME/report.json and renders it into OUT_DIR/NAME/.
function render(name, report) {
  const dir = path.join(outDir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(outDir, `${name}.json`);
  fs.writeFileSync(json, JSON.stringify(report));
  execFileSync(censusBin, ['render-report', json, dir]);
  return dir;
}

function withRegions() {
  const report = structuredClone(fixture);
  for (const site of report.sites) site.region = regionOf[site.site_id];
  return report;
}

// LARGE_SITES sites of one region, copies of the fixture's sites (each kind of finding).
function largeRegion() {
  const report = structuredClone(fixture);
  const sites = [];
  for (let i = 0; i < LARGE_SITES; ++i) {
    const site = structuredClone(fixture.sites[i % fixture.sites.length]);
    site.site_id = String(9900000000 + i);
    site.name = `${site.name} ${i}`;
    site.region = HUANGSHI;
    sites.push(site);
  }
  report.sites = sites;
  report.census.sites = LARGE_SITES;
  report.census.passed = sites.filter((s) => s.verdict === 'pass').length;
  report.census.failed = LARGE_SITES - report.census.passed;
  report.census.unreachable = sites.filter((s) => s.verdict === 'unreachable').length;
  return report;
}

const norm = (text) => text.replace(/\s+/g, ' ').trim();

before(async () => {
  assert.ok(censusBin, 'set CENSUS_BIN to the census binary');
  fs.mkdirSync(outDir, { recursive: true });
  browser = await launchChromium();
  ({ context, page, requests } = browser);
});

after(async () => {
  if (browser) await browser.close();
});

test('report.html links each region to a page of exactly its sites', async () => {
  const dir = render('regions-census', withRegions());
  await page.goto(pathToFileURL(path.join(dir, 'report.html')).href, { waitUntil: 'load' });

  // The regions table: name, checked, passed, failed, unreachable, pass rate, mean score, page.
  const rows = (await page.locator('#table-by-region tbody tr').allInnerTexts()).map(norm);
  assert.deepEqual(rows, [
    '未填 — 1 1 0 0 100.0% 100.0 未填地区 unassigned',
    `${SHIYAN} 2 0 2 1 0.0% 42.0 ${SHIYAN}`,
    `${HUANGSHI} 2 1 1 0 50.0% 85.2 ${HUANGSHI}`,
  ]);
  // Five sites: report.html still holds every one of them.
  assert.equal(await page.locator('section.site').count(), 5);

  await Promise.all([
    page.waitForURL(/regions\/.*\.html$/),
    page.locator('#table-by-region a.region-page', { hasText: HUANGSHI }).click(),
  ]);
  assert.ok(decodeURIComponent(page.url()).endsWith(
      '/regions/_E6_B9_96_E5_8C_97_E7_9C_81_E9_BB_84_E7_9F_B3_E5_B8_82.html'), page.url());
  assert.equal(await page.title(), `${HUANGSHI} · 2026-11-20 政府网站普查情况通报`);
  assert.equal(await page.locator('#region-name').innerText(), HUANGSHI);
  assert.equal(await page.locator('#sum-sites').innerText(), '2');
  assert.equal(await page.locator('#sum-failed').innerText(), '1');
  assert.equal(await page.locator('#sum-mean-score').innerText(), '85.2');

  // Exactly this region's sites, with their names and verdicts, in report order.
  const sections = page.locator('section.site');
  assert.equal(await sections.count(), 2);
  const ids = await sections.evaluateAll((all) => all.map((s) => s.id));
  assert.deepEqual(ids, ['site-4201000001', 'site-4202020002']);
  const verdicts = await sections.evaluateAll((all) => all.map((s) => s.dataset.verdict));
  assert.deepEqual(verdicts, ['pass', 'fail']);
  const headings = (await page.locator('section.site h3').allInnerTexts()).map(norm);
  assert.deepEqual(headings, [
    '1. 武汉市人民政府 合格 pass 得分 score 98.9',
    '2. 黄石市下陆区人民政府 不合格 fail 得分 score 71.5',
  ]);
  const text = await page.locator('body').innerText();
  for (const other of ['十堰市', '宜昌市交通运输局', '襄阳市人民政府']) {
    assert.ok(!text.includes(other), `${other} is not of ${HUANGSHI}`);
  }
  // Its failing list links to the section on this page; findings and evidence are there.
  const failing = (await page.locator('#table-failed tbody tr').allInnerTexts()).map(norm);
  assert.deepEqual(failing, [
    `1 ${HUANGSHI} 黄石市下陆区人民政府 4202020002 不合格 fail 71.5 首页栏目信息更新不及时；空白栏目`,
  ]);
  assert.equal(await page.locator('#table-failed a').getAttribute('href'), '#site-4202020002');
  const xialu = page.locator('section[id="site-4202020002"]');
  assert.equal(await xialu.locator('ul.vetoes li').count(), fixture.sites[1].vetoes.length);
  assert.equal(await xialu.locator('table.evidence tbody tr').count(), 2);
  assert.equal(await xialu.locator('table.broken tbody tr').count(), 2);

  // Back to the national summary, then the page of the sites without a region.
  await Promise.all([page.waitForURL(/\/report\.html$/), page.locator('a#national').click()]);
  await Promise.all([
    page.waitForURL(/_unassigned\.html$/),
    page.locator('#table-by-region a.region-page', { hasText: '未填地区' }).click(),
  ]);
  assert.deepEqual(await page.locator('section.site').evaluateAll((all) => all.map((s) => s.id)),
                   ['site-4206000005']);
  assert.equal(await page.locator('#region-name').innerText(), '未填地区');
  assert.equal(await page.locator('#table-failed').count(), 0);  // its one site passed
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
});

test('a region of 5,000 sites: report.html is the summary, the region page opens', async () => {
  const dir = render('regions-large', largeRegion());
  const html = path.join(dir, 'report.html');
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  assert.equal(await page.locator('#sum-sites').innerText(), String(LARGE_SITES));
  assert.equal(await page.locator('section.site').count(), 0);  // over 500 sites: summary only
  assert.equal(await page.locator('p.by-region-only').count(), 2);
  assert.equal(await page.locator('#table-by-region tbody tr').count(), 1);
  const href = await page.locator('#table-by-region a.region-page').getAttribute('href');
  const regionFile = path.join(dir, href);
  const bytes = fs.statSync(regionFile).size;

  // Opened in a fresh tab, timed by the browser (Navigation and Paint Timing: the first
  // paint of the page's top, the whole document parsed, the load event) and from here
  // (goto until the load event, then until a screenshot of the viewport is taken).
  const tab = await context.newPage();
  const started = performance.now();
  await tab.goto(pathToFileURL(regionFile).href, { waitUntil: 'load', timeout: 120000 });
  const loadMs = performance.now() - started;
  await tab.screenshot({ path: path.join(outDir, 'region-large.png') });
  const paintedMs = performance.now() - started;
  const nav = await tab.evaluate(() => {
    const entry = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return { firstPaint: paint ? paint.startTime : -1, domContentLoaded: entry.domContentLoadedEventEnd,
             load: entry.loadEventEnd };
  });

  // It renders: the region's first page holds its first SITES_PER_PAGE sites, the first
  // laid out at the top; its pager leads to the last page, whose last section is the
  // region's last site, laid out once scrolled to (kRegionStyle).
  assert.equal(await tab.locator('section.site').count(), SITES_PER_PAGE);
  const box = await tab.locator('section.site').first().boundingBox();
  assert.ok(box && box.width > 500 && box.height > 50, JSON.stringify(box));
  const failedSites = Number(await tab.locator('#sum-failed').innerText());
  const pages = Math.ceil(LARGE_SITES / SITES_PER_PAGE);
  assert.equal(await tab.locator('nav.pager').first().locator('a').count(), pages - 1);
  const lastHref = await tab.locator('nav.pager').first().locator('a').last().getAttribute('href');
  assert.equal(lastHref, path.basename(regionFile).replace(/\.html$/, `.p${pages}.html`));
  await tab.goto(pathToFileURL(path.join(path.dirname(regionFile), lastHref)).href,
                 { waitUntil: 'load' });
  assert.equal(await tab.locator('section.site').count(),
               LARGE_SITES - (pages - 1) * SITES_PER_PAGE);
  const last = tab.locator('section.site').last();
  await last.scrollIntoViewIfNeeded();
  let heading = '';
  for (let tries = 0; tries < 50 && !heading; ++tries) {  // laid out at the next frame
    heading = await last.locator('h3').innerText();
    if (!heading) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.match(heading,
               new RegExp(`^${LARGE_SITES}\\. .* ${LARGE_SITES - 1} `));
  assert.ok((await last.boundingBox()).height > 50);
  await tab.close();

  // Its failing sites, more than a page holds, are a page of their own, linked from the
  // first page; it opens on its own, timed the same way.
  let failedPage = {};
  if (failedSites > SITES_PER_PAGE) {
    const list = await context.newPage();
    await list.goto(pathToFileURL(regionFile).href, { waitUntil: 'load' });
    const listStarted = performance.now();
    await Promise.all([list.waitForEvent('load'), list.locator('#failed-page').click()]);
    const listLoadMs = performance.now() - listStarted;
    assert.equal(await list.locator('#table-failed tbody tr').count(), failedSites);
    const listNav = await list.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
    failedPage = { failed_sites: failedSites, failed_page_load_event_ms: Math.round(listNav),
                   failed_page_click_to_load_ms: Math.round(listLoadMs) };
    await list.close();
  }

  const timing = {
    ...failedPage,
    sites: LARGE_SITES, bytes,
    first_contentful_paint_ms: Math.round(nav.firstPaint),
    dom_content_loaded_ms: Math.round(nav.domContentLoaded),
    load_event_ms: Math.round(nav.load),
    goto_load_ms: Math.round(loadMs), goto_load_and_screenshot_ms: Math.round(paintedMs),
  };
  fs.writeFileSync(path.join(outDir, 'region-page-timing.json'), JSON.stringify(timing, null, 1));
  console.log(`region page of ${LARGE_SITES} sites: ${JSON.stringify(timing)}`);
});
