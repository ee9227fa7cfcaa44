/**
 * Wiring diagrams as a browser draws them: each shipped config's SVG is rendered in headless
 * Chromium, checked for text that spills out of its box, and screenshotted to a PNG.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listShippedDevices, loadDeviceConfig } from '../../hardware/config/index.js';
import { renderWiringSvg } from '../../hardware/wiring/index.js';
import { launchBrowser } from '../helpers/browser.js';

interface Context {
  browser: Browser;
  dir: string;
}

const test = suite<Context>('wiring diagrams in Chromium');

test.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'fs-wiring-png-'));
  ctx.browser = await launchBrowser();
});

test.after(async (ctx) => {
  await ctx.browser?.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

interface Layout {
  width: number;
  height: number;
  /** Texts outside the drawing, or wider than the box they label. */
  spills: string[];
  boxes: number;
  wires: number;
}

/**
 * Runs in the page. A string, not a function: tsx compiles test functions with esbuild's
 * keepNames, whose `__name` helper does not exist inside the browser.
 */
const MEASURE = `(() => {
  const root = document.querySelector('svg');
  const box = root.getBoundingClientRect();
  const spills = [];
  const inside = (inner, outer) =>
    inner.left >= outer.left - 1 && inner.right <= outer.right + 1 &&
    inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
  for (const t of root.querySelectorAll('text')) {
    if (!inside(t.getBoundingClientRect(), box)) spills.push('outside: ' + t.textContent);
  }
  const frames = Array.from(root.querySelectorAll('rect.part, rect.board, rect.block'));
  for (const t of root.querySelectorAll('text.part-title, text.board-name, text.block-label')) {
    if (!frames.some((r) => inside(t.getBoundingClientRect(), r.getBoundingClientRect()))) {
      spills.push('overflows its box: ' + t.textContent);
    }
  }
  return {
    width: box.width,
    height: box.height,
    spills,
    boxes: root.querySelectorAll('rect.part').length,
    wires: root.querySelectorAll('path.wire').length,
  };
})()`;

test('every shipped diagram renders, with its text inside its boxes', async ({ browser, dir }) => {
  const page = await browser.newPage();
  try {
    for (const path of listShippedDevices()) {
      const config = loadDeviceConfig(path);
      const svg = renderWiringSvg(config);
      await page.setContent(
        `<!doctype html><html><body style="margin:0">${svg.replace(/^<\?xml[^>]*>\n/, '')}</body></html>`,
      );
      const layout = (await page.evaluate(MEASURE)) as Layout;
      assert.equal(layout.spills, [], path);
      assert.is(layout.boxes, config.sensors.length + config.actuators.length, path);
      assert.ok(layout.wires > layout.boxes, path);
      assert.ok(
        layout.width > 400 && layout.height > 300,
        `${path}: ${layout.width}x${layout.height}`,
      );
      const png = join(dir, `${config.id}.png`);
      await (await page.$('svg'))?.screenshot({ path: png });
      assert.ok(statSync(png).size > 10_000, `${png} has a drawing in it`);
    }
  } finally {
    await page.close();
  }
});

test.run();
