// test_page_chromium.mjs — the demo page (web/index.html) end to end in headless Chromium on WebGPU: serves
// the repository on 127.0.0.1, loads the page with Debian's chromium through playwright-core, picks the
// bundled tiny LLaVA model (made in the page), runs the prompt on its sample image plain and with FastV by
// clicking the page's controls, and compares the tokens (and FastV's kept positions) with the native CLI's
// for the same model, image and prompt (`vkvlm_make_tiny --family llava`, `vkvlm run --json`); then loads the
// golden llava15_tiny_f32 checkpoint by URL (the server maps /golden/ to the golden directory), drops its
// image into the page's file input and matches the golden greedy tokens, plain and with FastV (tokens and
// kept positions). In between, on the tiny model with FastV chosen, it clicks Benchmark: the progress bar, the
// table of medians (none and FastV rows) and the JSON download link (a blob: URL named bench-webgpu-<adapter>.json
// whose file is kind "model" and that the native `vkvlm report` reads). Saves a screenshot as build-web/page.png.
//
// usage: node tests/web/test_page_chromium.mjs
// env:   VKVLM_NATIVE_BUILD    the native build directory with vkvlm and vkvlm_make_tiny (default build/)
//        VKVLM_GOLDEN_DIR      the golden cases (default ../shared/golden next to the repository)
//        VKVLM_CHROMIUM        the browser (default /usr/bin/chromium)
//        VKVLM_WEB_TIMEOUT_S   hard limit for the whole run (default 300)
// Prints "pass NAME" / "FAIL NAME: why", then "N passed, N failed"; exit 0 only when none failed.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const nativeBuild = path.resolve(process.env.VKVLM_NATIVE_BUILD || path.join(root, 'build'));
const chromiumPath = process.env.VKVLM_CHROMIUM || '/usr/bin/chromium';
const goldenDir = path.resolve(process.env.VKVLM_GOLDEN_DIR || path.join(root, '..', 'shared', 'golden'));
const timeoutS = Number(process.env.VKVLM_WEB_TIMEOUT_S || 300);
const PROMPT = 'What is shown in this image?';
const MAX_TOKENS = 8;
const FASTV = 'fastv:k=2,r=0.5';

let passed = 0;
let failed = 0;
let browser = null;
let server = null;
let tmp = null;
const started = Date.now();
async function finish() {
  clearTimeout(timer);
  if (browser) await browser.close().catch(() => {});
  if (server) server.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  console.log(`demo page in headless Chromium in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
const timer = setTimeout(() => {
  console.log(`FAIL timeout: no result after ${timeoutS} s`);
  failed++;
  finish();
}, timeoutS * 1000);
function check(name, ok, why) {
  if (ok) {
    passed++;
    console.log(`pass ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}: ${why}`);
  }
}
async function bail(msg) {
  console.log(`FAIL setup: ${msg}`);
  failed++;
  await finish();
}

const playwrightEntry = path.join(root, 'web', 'node_modules', 'playwright-core', 'index.mjs');
if (!existsSync(playwrightEntry)) await bail('web/node_modules/playwright-core missing (run: tools/setup.sh web)');
if (!existsSync(chromiumPath)) await bail(`${chromiumPath} missing (Debian package chromium: tools/setup.sh web)`);
if (!existsSync(path.join(root, 'build-web', 'vkvlm_web.js'))) await bail('build-web/vkvlm_web.js missing (make build-web)');
for (const tool of ['vkvlm', 'vkvlm_make_tiny']) {
  if (!existsSync(path.join(nativeBuild, tool))) await bail(`${nativeBuild}/${tool} missing (make build)`);
}

// ---------------------------------------------------------------- the native CLI's answer
tmp = mkdtempSync(path.join(os.tmpdir(), 'vkvlm-page-'));
const tiny = path.join(tmp, 'tiny-llava');
execFileSync(path.join(nativeBuild, 'vkvlm_make_tiny'), ['--family', 'llava', '--out', tiny], { stdio: 'ignore' });
const native = (reduce) => JSON.parse(execFileSync(path.join(nativeBuild, 'vkvlm'), ['run', '-m', tiny, '--image',
  path.join(tiny, 'sample.png'), '-p', PROMPT, '-n', String(MAX_TOKENS), '--json', '--backend', 'cpu',
  ...(reduce ? ['--reduce', reduce] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
const want = native(null);
const wantFastv = native(FASTV);

// ---------------------------------------------------------------- a static server for the repository
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.json': 'application/json',
  '.png': 'image/png', '.wasm': 'application/wasm', '.css': 'text/css' };
server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const p = decodeURIComponent(url.pathname);
  const top = p.startsWith('/golden/') ? goldenDir : root;
  const file = path.join(top, p.startsWith('/golden/') ? p.slice('/golden'.length) : p);
  if (!file.startsWith(top + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404);
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

// ---------------------------------------------------------------- the page
const { chromium } = await import(pathToFileURL(playwrightEntry).href);
// playwright gives every launch a fresh profile directory of its own (it refuses --user-data-dir).
try {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless=new', '--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
} catch (e) {
  await bail(`cannot launch ${chromiumPath}: ${e.message}`);
}
const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
const consoleLines = [];
page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
try {
  await page.goto(`${base}/web/index.html`);
  await page.waitForFunction(() => window.vkvlmDemo && window.vkvlmDemo.ready, null, { timeout: 120000 });
  const adapter = await page.evaluate(() => window.vkvlmDemo.engine && window.vkvlmDemo.engine.adapterInfo());
  check('page engine on WebGPU', adapter && adapter.backend === 'webgpu',
    `backend ${adapter && adapter.backend}: ${adapter && adapter.fallback_reason}; ${await page.textContent('#status')}`);
  if (adapter) console.log(`adapter: ${adapter.name} (shader-f16 ${adapter.shader_f16}, invocations ${adapter.max_workgroup_invocations})`);

  await page.check('input[name=source][value=tiny]');
  await page.selectOption('#tinyFamily', 'llava');
  await page.click('#load');
  await page.waitForFunction(() => window.vkvlmDemo.model && !window.vkvlmDemo.busy || window.vkvlmDemo.error,
    null, { timeout: 120000 });
  const model = await page.evaluate(() => window.vkvlmDemo.model);
  check('page loads the tiny model', model && model.model_type === 'llava', await page.textContent('#status'));

  const run = async (method, fields = {}) => {
    await page.selectOption('#method', method);
    for (const [sel, v] of Object.entries(fields)) await page.fill(sel, v);
    await page.fill('#prompt', PROMPT);
    await page.fill('#maxTokens', String(MAX_TOKENS));
    await page.evaluate(() => { window.vkvlmDemo.lastResult = null; window.vkvlmDemo.error = null; });
    await page.click('#run');
    await page.waitForFunction(() => window.vkvlmDemo.lastResult && !window.vkvlmDemo.busy || window.vkvlmDemo.error,
      null, { timeout: 120000 });
    return page.evaluate(() => ({ r: window.vkvlmDemo.lastResult, streamed: window.vkvlmDemo.streamed,
      error: window.vkvlmDemo.error, answer: document.getElementById('answer').textContent }));
  };

  const plain = await run('none');
  check('page generates', plain.r && !plain.error, plain.error);
  if (plain.r) {
    check('page runs on WebGPU', plain.r.device.backend === 'webgpu', plain.r.device.backend);
    check('page prompt tokens = native CLI', JSON.stringify(plain.r.prompt_tokens) === JSON.stringify(want.prompt_tokens),
      `${plain.r.prompt_tokens.length} vs ${want.prompt_tokens.length} tokens`);
    check('page tokens = native CLI', JSON.stringify(plain.r.tokens) === JSON.stringify(want.tokens),
      `page ${JSON.stringify(plain.r.tokens)}, native ${JSON.stringify(want.tokens)}`);
    check('page streams every token', JSON.stringify(plain.streamed) === JSON.stringify(plain.r.tokens),
      `streamed ${JSON.stringify(plain.streamed)}`);
    check('page shows the answer', plain.answer === plain.r.text, JSON.stringify(plain.answer));
  }

  const fastv = await run('fastv', { '#fastvK': '2', '#fastvR': '0.5' });
  check('page FastV spec', (await page.inputValue('#spec')) === FASTV, await page.inputValue('#spec'));
  check('page generates with FastV', fastv.r && !fastv.error, fastv.error);
  if (fastv.r) {
    const red = fastv.r.reduction[0] || {};
    const wred = wantFastv.reduction[0] || {};
    check('page FastV tokens = native CLI', JSON.stringify(fastv.r.tokens) === JSON.stringify(wantFastv.tokens),
      `page ${JSON.stringify(fastv.r.tokens)}, native ${JSON.stringify(wantFastv.tokens)}`);
    check('page FastV kept positions = native CLI', JSON.stringify(red.kept_positions) === JSON.stringify(wred.kept_positions),
      `page ${JSON.stringify(red.kept_positions)}, native ${JSON.stringify(wred.kept_positions)}`);
    const text = await page.textContent('#reductionText');
    check('page heat map caption', /fastv: \d+ of 16 image patches kept/.test(text), JSON.stringify(text));
  }
  // the Benchmark button on the tiny model, FastV still chosen
  await page.fill('#benchRepeat', '1');
  await page.fill('#benchTokens', '2');
  await page.evaluate(() => { window.vkvlmDemo.benchResult = null; window.vkvlmDemo.error = null; });
  await page.click('#bench');
  await page.waitForFunction(() => window.vkvlmDemo.benchResult && !window.vkvlmDemo.busy || window.vkvlmDemo.error,
    null, { timeout: 120000 });
  const bench = await page.evaluate(async () => {
    const a = document.getElementById('benchJson');
    const rows = [...document.querySelectorAll('#benchTable tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    const file = a.href.startsWith('blob:') ? await (await fetch(a.href)).text() : null;
    return { error: window.vkvlmDemo.error, rows, hidden: a.hidden, href: a.href, download: a.download, file,
      progress: document.getElementById('benchProgress').value, text: document.getElementById('benchText').textContent };
  });
  check('page benchmark runs', !bench.error && bench.progress === 1, bench.error || `progress ${bench.progress}`);
  check('page benchmark table', bench.rows.length === 3 && bench.rows[0][0] === 'setting' && bench.rows[0].includes('prefill ms') &&
    bench.rows[1][0] === 'none' && bench.rows[2][0] === FASTV && /^\d+ → \d+$/.test(bench.rows[2][1]) &&
    Number(bench.rows[1][3]) > 0, JSON.stringify(bench.rows));
  check('page benchmark JSON link', !bench.hidden && bench.href.startsWith('blob:') &&
    /^bench-webgpu-[a-z0-9-]+\.json$/.test(bench.download), `${bench.hidden ? 'hidden ' : ''}${bench.href} ${bench.download}`);
  let benchJson = null;
  try { benchJson = JSON.parse(bench.file); } catch (e) { /* checked below */ }
  check('page benchmark file', benchJson && benchJson.kind === 'model' && benchJson.schema === 1 &&
    benchJson.device.backend === 'webgpu' && benchJson.model === 'tiny-llava' && benchJson.settings.length === 2 &&
    benchJson.settings[1].reduce === FASTV && benchJson.settings[1].kept_tokens < benchJson.settings[0].kept_tokens,
  String(bench.file).slice(0, 300));
  if (benchJson) {
    const file = path.join(tmp, bench.download);
    writeFileSync(file, bench.file);
    let md = '';
    try {
      execFileSync(path.join(nativeBuild, 'vkvlm'), ['report', file, '-o', path.join(tmp, 'report')], { stdio: 'ignore' });
      md = readFileSync(path.join(tmp, 'report', 'report.md'), 'utf8');
    } catch (e) {
      md = e.message;
    }
    check('page benchmark file: vkvlm report reads it', md.includes(`| ${bench.download} | model |`) &&
      md.includes(`| ${FASTV} |`), md.slice(0, 400));
  }

  // the golden case by URL, its image through the page's file input
  const gcase = path.join(goldenDir, 'llava15_tiny_f32');
  if (existsSync(path.join(gcase, 'expected', 'greedy_tokens.bin'))) {
    const ints = (f) => {
      const b = readFileSync(path.join(gcase, 'expected', f));
      return Array.from(new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4));
    };
    await page.check('input[name=source][value=url]');
    await page.fill('#modelUrl', `${base}/golden/llava15_tiny_f32/checkpoint/`);
    await page.evaluate(() => { window.vkvlmDemo.model = null; window.vkvlmDemo.error = null; });
    await page.click('#load');
    await page.waitForFunction(() => window.vkvlmDemo.model && !window.vkvlmDemo.busy || window.vkvlmDemo.error,
      null, { timeout: 120000 });
    const gm = await page.evaluate(() => window.vkvlmDemo.model);
    check('page loads the golden checkpoint by URL', gm && gm.model_type === 'llava', await page.textContent('#status'));
    await page.setInputFiles('#imageFile', path.join(gcase, 'image.png'));
    await page.waitForFunction((n) => window.vkvlmDemo.imageBytes && window.vkvlmDemo.imageBytes.length === n,
      statSync(path.join(gcase, 'image.png')).size, { timeout: 30000 });
    await page.check('#ignoreEos');
    const g = await run('none');
    check('page golden prompt tokens', g.r && JSON.stringify(g.r.prompt_tokens) === JSON.stringify(ints('input_ids.bin')),
      g.error || `${g.r && g.r.prompt_tokens.length} prompt tokens`);
    check('page golden greedy tokens', g.r && JSON.stringify(g.r.tokens) === JSON.stringify(ints('greedy_tokens.bin')),
      g.error || `page ${JSON.stringify(g.r && g.r.tokens)}, golden ${JSON.stringify(ints('greedy_tokens.bin'))}`);
    const gf = await run('fastv', { '#fastvK': '2', '#fastvR': '0.5' });
    const gred = gf.r && gf.r.reduction[0];
    check('page golden FastV tokens', gf.r && JSON.stringify(gf.r.tokens) === JSON.stringify(ints('fastv_greedy_tokens.bin')),
      gf.error || `page ${JSON.stringify(gf.r && gf.r.tokens)}`);
    check('page golden FastV kept positions', gred &&
      JSON.stringify(gred.kept_positions) === JSON.stringify(ints('fastv_keep_positions.bin')),
      gf.error || JSON.stringify(gred && gred.kept_positions));
  } else {
    console.log(`skip golden case: ${gcase} not found (set VKVLM_GOLDEN_DIR)`);
  }

  const shot = path.join(root, 'build-web', 'page.png');
  await page.screenshot({ path: shot, fullPage: true });
  check('page screenshot', existsSync(shot) && statSync(shot).size > 10000, shot);
  console.log(`screenshot: ${shot}`);
} catch (e) {
  check('page', false, e.message);
}
if (failed) for (const l of consoleLines.slice(-20)) console.log(`  console ${l}`);
await finish();
