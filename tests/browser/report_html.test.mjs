// Browser test of report.html: renders the fixture report with the real `census`
// binary (`census render-report`), opens it in Debian's headless Chromium and checks
// what a reader sees. Needs scripts/install-browser.sh (chromium + npm ci here).
//
//   CENSUS_BIN=build/cmd/census OUT_DIR=build/tests/browser node --test report_html.test.mjs
//
// Leaves OUT_DIR/report.html and OUT_DIR/report.png (full-page screenshot at 1280 px).

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
const fixturePath = path.join(here, 'fixture', 'report.json');
const fixture = JSON.parse(fs.readFileSync(fixturePath, 'utf8'));

let browser;
let page;
let requests;

before(async () => {
  assert.ok(censusBin, 'set CENSUS_BIN to the census binary');
  fs.mkdirSync(outDir, { recursive: true });
  execFileSync(censusBin, ['render-report', fixturePath, outDir]);
  browser = await launchChromium();
  ({ page, requests } = browser);
  await page.goto(pathToFileURL(path.join(outDir, 'report.html')).href, { waitUntil: 'load' });
});

after(async () => {
  if (browser) await browser.close();
});

const failing = fixture.sites.filter((s) => s.verdict !== 'pass');
const siteSection = (site) => page.locator(`section[id="site-${site.site_id}"]`);

test('title names the census notice, its date and rubric', async () => {
  assert.equal(await page.title(), '2026-11-20 政府网站普查情况通报');
  assert.equal(await page.locator('h1').innerText(), '2026-11-20 政府网站普查情况通报');
  const header = await page.locator('header.notice').innerText();
  assert.match(header, /监测时间点 as of 2026-11-20/);
  assert.match(header, /指标 rubric gov-2019/);
});

test('summary shows sites checked, failed and the pass rate', async () => {
  assert.equal(await page.locator('#sum-sites').innerText(), '5');
  assert.equal(await page.locator('#sum-failed').innerText(), '3');
  assert.equal(await page.locator('#sum-unreachable').innerText(), '1');
  assert.equal(await page.locator('#sum-passed').innerText(), '2');
  assert.equal(await page.locator('#sum-rate').innerText(), '40.0%');
  const lead = await page.locator('p.lead').innerText();
  assert.match(lead, /本次共检查政府网站 5 个，其中合格 2 个，不合格 3 个（含无法访问 1 个），总体合格率 40\.0%。/);
});

test('failures by rule, region and level', async () => {
  const rows = await page.locator('#table-by-rule tbody tr').allInnerTexts();
  assert.deepEqual(rows.map((r) => r.replace(/\s+/g, ' ').trim()), [
    '空白栏目 blank_columns 1 20.0%',
    '栏目不更新 columns_stale 1 20.0%',
    '首页栏目信息更新不及时 homepage_stale 1 20.0%',
    '站点无法访问 site_unreachable 1 20.0%',
  ]);
  assert.equal(await page.locator('#table-by-region tbody tr').count(), 5);
  const levels = await page.locator('#table-by-level tbody tr').allInnerTexts();
  assert.deepEqual(levels.map((r) => r.replace(/\s+/g, ' ').trim()), [
    'city 2 2 0 0 100.0%',
    'county 1 0 1 0 0.0%',
    'department 2 0 2 1 0.0%',
  ]);
});

test('the failing list names every failing site with its problems', async () => {
  const rows = await page.locator('#table-failed tbody tr').allInnerTexts();
  assert.equal(rows.length, failing.length);
  assert.match(rows[0], /黄石市下陆区人民政府\s+4202020002\s+不合格 fail\s+71\.5\s+首页栏目信息更新不及时；空白栏目/);
  assert.match(rows[1], /十堰市<教育局> & “测试”/);  // escaped in HTML, read back as text
  assert.match(rows[2], /宜昌市交通运输局\s+4205000004\s+无法访问 unreachable\s+0\.0\s+站点无法访问/);
});

test("each failing site's vetoes are shown with their details", async () => {
  for (const site of failing) {
    const items = await siteSection(site).locator('ul.vetoes li').allInnerTexts();
    assert.equal(items.length, site.vetoes.length, site.site_id);
    site.vetoes.forEach((veto, i) => {
      assert.ok(items[i].includes(veto.rule), `${site.site_id}: ${items[i]}`);
      assert.ok(items[i].endsWith(`：${veto.detail}`), `${site.site_id}: ${items[i]}`);
    });
    assert.equal(await siteSection(site).getAttribute('data-verdict'), site.verdict);
  }
});

test('a broken link row reads url, page, error and status', async () => {
  const section = siteSection(fixture.sites[1]);
  const rows = section.locator('table.broken tbody tr');
  assert.equal(await rows.count(), 2);
  const cells = (await rows.nth(0).locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  assert.deepEqual(cells, [
    'http://www.xialu.gov.cn/old/zwgk.html 政务公开',
    'http://www.xialu.gov.cn/ 首页 homepage',
    '页面不存在 http_404',
    '404',
    '确认 confirmed',
  ]);
  assert.match(await section.innerText(), /已检查 checked 120 · 不可用 broken 2（确认 confirmed 2，疑似 suspected 0）/);
});

test('columns, warnings, interaction, content and evidence are shown', async () => {
  const shiyan = siteSection(fixture.sites[2]);
  const stale = await shiyan.locator('table.columns tbody tr.problem').count();
  assert.equal(stale, 5);
  assert.match(await shiyan.locator('ul.warnings').innerText(), /首页长时间未更新 homepage_not_updated：homepage not updated for 6 days/);
  assert.match(await shiyan.locator('p.interaction').innerText(), /超过3个月未回复 unanswered > 3 months 1/);
  const xialu = siteSection(fixture.sites[1]);
  assert.match(await xialu.locator('table.content').innerText(), /严重错别字 serious_typo/);
  const evidence = await xialu.locator('table.evidence tbody tr').allInnerTexts();
  assert.equal(evidence.length, 2);
  assert.ok(evidence[0].includes('2026-11-19T09:12:00+08:00'));
  assert.ok(evidence[0].includes(fixture.sites[1].evidence[0].snapshot));
});

test('charts are inline SVG with one bar per site or bucket', async () => {
  const withBroken = fixture.sites.filter((s) => (s.links?.broken ?? []).length > 0).length;
  const withHomepage = fixture.sites.filter((s) => s.homepage?.last_update).length;
  assert.equal(await page.locator('svg#chart-broken g.bar').count(), withBroken);
  assert.equal(await page.locator('svg#chart-home-age g.bar').count(), withHomepage);
  assert.equal(await page.locator('svg#chart-intervals g.bar').count(), 7);
  // The 下陆区 bar: 2 confirmed links, drawn (non-zero width) and the longest.
  const bars = page.locator('svg#chart-broken g.bar');
  assert.match(await bars.nth(0).locator('title').first().textContent(), /黄石市下陆区人民政府 4202020002: 2 \(确认 2, 疑似 0\)/);
  const box = await bars.nth(0).locator('rect').first().boundingBox();
  assert.ok(box && box.width > 100, JSON.stringify(box));
  const ageLabels = await page.locator('svg#chart-home-age g.bar > text:last-of-type').allTextContents();
  assert.deepEqual(ageLabels, ['39 天', '6 天', '1 天', '0 天']);
});

test('no horizontal overflow at 1280 px, nothing fetched from outside', async () => {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.equal(clientWidth, 1280);
  assert.ok(scrollWidth <= clientWidth, `scrollWidth ${scrollWidth} > ${clientWidth}`);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), []);
  await page.screenshot({ path: path.join(outDir, 'report.png'), fullPage: true });
  assert.ok(fs.statSync(path.join(outDir, 'report.png')).size > 10000);
});
