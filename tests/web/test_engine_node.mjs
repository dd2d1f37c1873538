// test_engine_node.mjs — the golden cases (../shared/golden) through the JS API (web/vkvlm.mjs, which loads
// build-web/vkvlm_web.js) under Node: the WebGPU backend on Dawn (npm `webgpu`) and the wasm CPU backend.
// What tests/unit/test_golden_models.c and test_ficoco_golden.c check on the native build, minus the tensor
// dumps:
//   llava15_tiny_f32, smolvlm_tiny_f16: prompt ids and the 8 greedy tokens exactly; FastV (the case's K, R):
//     tokens and kept positions exactly, scores within 1e-5; plain again afterwards (no state leaks);
//     streamed text equals the result's text;
//   llava15_ficoco_v_f32, llava15_ficoco_l_f32: greedy tokens, per merge layer discarded / targets / kept
//     exactly, alpha and scores within 1e-5, FiCoCo-L's final positions; plain tokens afterwards.
//   engine.benchmark on llava15_tiny_f32 with its FastV setting (repeat 1): the schema of `vkvlm bench -m DIR
//     --json` (the same keys as the native CLI's file for the same model, image and prompt, and the same
//     analytic token counts and FLOPs), the WebGPU adapter or CPU device block, null GPU times without
//     timestamps, progress calls; then the native `vkvlm report` reads the file, alone and with the CLI's;
//     and the CPU fallback's device block (WebGPU asked for, no adapter: the reason in the file).
//
// usage: node tests/web/test_engine_node.mjs [backend ...]   (default: webgpu cpu)
// env:   VKVLM_GOLDEN_DIR      the golden cases (default ../shared/golden next to the repository)
//        VKVLM_NATIVE_BUILD    the native build with vkvlm, for the report checks (default build/; skipped
//                              when it is missing)
//        VKVLM_WEBGPU_ADAPTER  swiftshader (default: Dawn's Vulkan backend on SwiftShader's ICD) | gles
//        VKVLM_WEB_TIMEOUT_S   hard limit for the whole run (default 600)
// Prints "pass NAME" / "FAIL NAME: why" per check, then "N passed, N failed"; exit 0 only when none failed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const backends = process.argv.slice(2).length ? process.argv.slice(2) : ['webgpu', 'cpu'];
const goldenDir = process.env.VKVLM_GOLDEN_DIR || path.resolve(root, '..', 'shared', 'golden');
const adapterKind = process.env.VKVLM_WEBGPU_ADAPTER || 'swiftshader';
const timeoutS = Number(process.env.VKVLM_WEB_TIMEOUT_S || 600);
const nativeVkvlm = path.join(path.resolve(process.env.VKVLM_NATIVE_BUILD || path.join(root, 'build')), 'vkvlm');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vkvlm-web-engine-'));

let passed = 0;
let failed = 0;
const started = Date.now();
const timer = setTimeout(() => {
  console.log(`FAIL timeout: no result after ${timeoutS} s`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(124);
}, timeoutS * 1000);
function finish() {
  clearTimeout(timer);
  rmSync(tmp, { recursive: true, force: true });
  console.log(`web engine under Node (${backends.join(', ')}; webgpu on ${adapterKind}) in ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
function bail(msg) {
  console.log(`FAIL setup: ${msg}`);
  failed++;
  finish();
}
function check(name, ok, why) {
  if (ok) {
    passed++;
    console.log(`pass ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}: ${why}`);
  }
}

const moduleFile = path.join(root, 'build-web', 'vkvlm_web.js');
if (!existsSync(moduleFile)) bail(`${moduleFile} not found (build it: make build-web)`);
if (!existsSync(path.join(root, 'web', 'node_modules', 'webgpu', 'package.json'))) {
  bail('web/node_modules/webgpu missing (run: tools/setup.sh web)');
}
if (!existsSync(path.join(goldenDir, 'index.json'))) bail(`no golden cases in ${goldenDir} (set VKVLM_GOLDEN_DIR)`);

// Dawn reads these when its GPU object is created (vkvlm.mjs creates it on first use).
let dawnFlags = [];
let adapterOptions = {};
if (adapterKind === 'swiftshader') {
  const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (!existsSync(icd)) bail(`${icd} missing (Debian package chromium-common)`);
  process.env.VK_ICD_FILENAMES = icd;
} else if (adapterKind === 'gles') {
  process.env.EGL_PLATFORM = 'surfaceless';
  dawnFlags = ['backend=opengles'];
  adapterOptions = { featureLevel: 'compatibility' };
} else {
  bail(`VKVLM_WEBGPU_ADAPTER=${adapterKind}: expected swiftshader or gles`);
}
process.env.XDG_RUNTIME_DIR = process.env.XDG_RUNTIME_DIR || '/tmp';

const { createEngine } = await import(pathToFileURL(path.join(root, 'web', 'vkvlm.mjs')).href);

const int32s = (file) => {
  const b = readFileSync(file);
  return Array.from(new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4));
};
const float32s = (file) => {
  const b = readFileSync(file);
  return Array.from(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4));
};
function sameInts(name, got, file) {
  const want = int32s(file);
  const g = Array.isArray(got) ? got.flat() : [];
  const at = g.findIndex((v, i) => v !== want[i]);
  check(name, g.length === want.length && at < 0,
    g.length !== want.length ? `${g.length} values, golden has ${want.length}` : `[${at}] ${g[at]}, golden ${want[at]}`);
}
function closeFloats(name, got, file, tol) {
  const want = float32s(file);
  const g = Array.isArray(got) ? got.flat() : [];
  let worst = 0;
  let at = -1;
  g.forEach((v, i) => {
    const d = Math.abs(v - want[i]);
    if (!(d <= worst)) { worst = d; at = i; }
  });
  check(name, g.length === want.length && worst <= tol,
    g.length !== want.length ? `${g.length} values, golden has ${want.length}` : `max |diff| ${worst} at [${at}] > ${tol}`);
}

const PROMPT = 'What is shown in this image?';
const cases = [
  { name: 'llava15_tiny_f32', fastv: 'fastv:k=2,r=0.5', benchmark: true },
  { name: 'smolvlm_tiny_f16', fastv: 'fastv:k=2,r=0.75' },
  { name: 'llava15_ficoco_v_f32', ficoco: 'ficoco-v:start=1,remove=8', method: 'ficoco-v', prefix: 'ficoco_v',
    first: 1, layers: 3 },
  { name: 'llava15_ficoco_l_f32', ficoco: 'ficoco-l:start=2,remove=6', method: 'ficoco-l', prefix: 'ficoco_l',
    first: 2, layers: 4 },
];

// The native CLI's file for the same model, image and prompt (CPU backend: quick, and the analytic counts do
// not depend on the device), made once; null without the native build.
let nativeBench;
function nativeBenchFile(c) {
  if (nativeBench !== undefined) return nativeBench;
  nativeBench = null;
  if (!existsSync(nativeVkvlm)) return null;
  const file = path.join(tmp, 'native.json');
  const dir = path.join(goldenDir, c.name);
  execFileSync(nativeVkvlm, ['bench', '-m', path.join(dir, 'checkpoint'), '--image', path.join(dir, 'image.png'),
    '-p', PROMPT, '-n', String(BENCH_TOKENS), '--reduce', c.fastv, '--repeat', '1', '--backend', 'cpu', '--json', file],
  { stdio: 'ignore', env: { ...process.env, VKVLM_VALIDATE: '0' } });
  nativeBench = { file, json: JSON.parse(readFileSync(file, 'utf8')) };
  return nativeBench;
}

const keys = (o) => Object.keys(o || {}).sort().join(',');
const BENCH_TOKENS = 2;

async function benchCase(engine, c, backend, image) {
  const label = `${c.name}/${backend} benchmark`;
  const calls = [];
  const b = await engine.benchmark({ reduce: [c.fastv], repeat: 1, maxNewTokens: BENCH_TOKENS, prompt: PROMPT,
    image, model: c.name }, (p) => calls.push(p));
  check(`${label} kind and schema`, b.kind === 'model' && b.schema === 1 && b.model === c.name &&
    b.model_type === 'llava' && b.quant === 'none' && b.repeat === 1 && b.new_tokens === BENCH_TOKENS &&
    b.image === true && b.prompt_tokens_requested === 0 && /^\d{4}-\d\d-\d\dT/.test(b.date),
  JSON.stringify({ ...b, device: undefined, settings: undefined }));
  const d = b.device || {};
  check(`${label} device block`, d.backend === backend && d.name && d.requested_backend === backend &&
    d.fallback_reason === null && d.max_workgroup_invocations > 0 && d.max_storage_buffer_range > 0 &&
    (backend !== 'webgpu' || (['vendor', 'architecture', 'device', 'description'].every((k) => typeof d[k] === 'string') &&
      d.timestamps === false && d.webgpu_limits && d.webgpu_limits.maxStorageBufferBindingSize === d.max_storage_buffer_range)),
  JSON.stringify(d).slice(0, 400));
  check(`${label} memory`, b.memory && b.memory.peak_bytes > 0 && b.memory.weight_bytes > 0, JSON.stringify(b.memory));
  const [none, fastv] = b.settings || [];
  check(`${label} settings`, b.settings.length === 2 && none.reduce === 'none' && fastv.reduce === c.fastv &&
    fastv.kept_tokens === none.prompt_tokens - 8 && fastv.flops_llm < none.flops_llm && none.new_tokens === BENCH_TOKENS,
  JSON.stringify(b.settings.map((r) => [r.reduce, r.prompt_tokens, r.kept_tokens, r.flops_llm])));
  check(`${label} metrics`, b.settings.every((r) => r.prefill_ms > 0 && r.ttft_ms >= r.prefill_ms &&
    r.metrics.prefill_ms.min <= r.metrics.prefill_ms.median && r.metrics.prefill_ms.median <= r.metrics.prefill_ms.max &&
    r.work.decode.submits === BENCH_TOKENS - 1 && r.work.prefill.dispatches > 0 &&
    r.dispatches_per_decoded_token === r.work.decode.dispatches / r.work.decode.submits && r.kernels.length > 0),
  JSON.stringify(none).slice(0, 400));
  // WebGPU has no timestamps: GPU times are null, not zeros; the wasm CPU backend times its dispatches
  const timed = d.timestamps === true;
  check(`${label} GPU times ${timed ? 'measured' : 'null'}`, b.settings.every((r) =>
    r.kernels.every((k) => (timed ? typeof k.gpu_ms === 'number' : k.gpu_ms === null) && k.dispatches > 0) &&
    ['gpu_vision_ms', 'gpu_prefill_ms', 'gpu_decode_ms'].every((m) => (timed ? r.metrics[m].median >= 0 : r.metrics[m] === null))),
  JSON.stringify(none.kernels[0]) + ' ' + JSON.stringify(none.metrics.gpu_prefill_ms));
  check(`${label} progress`, calls.length === 5 && calls[0].setting === 'none' && calls[0].run === -1 &&
    calls[3].setting === c.fastv && calls[3].run === 0 && calls[3].index === 1 && calls[4].done === true &&
    calls.every((p, i) => i === 0 || p.fraction >= calls[i - 1].fraction), JSON.stringify(calls));

  const file = path.join(tmp, `bench-${backend}.json`);
  writeFileSync(file, JSON.stringify(b, null, 2) + '\n');
  let native = null;
  try {
    native = nativeBenchFile(c);
  } catch (e) {
    check(`${label} native bench`, false, e.message);
    return;
  }
  if (!native) {
    console.log(`skip ${label} against the native CLI: ${nativeVkvlm} missing (make build)`);
    return;
  }
  const n = native.json;
  const same = (name, a, w) => check(`${label} ${name} = native CLI`, a === w, `web ${a}, native ${w}`);
  same('top-level keys', keys(b), keys(n));
  same('setting keys', b.settings.map(keys).join(' / '), n.settings.map(keys).join(' / '));
  same('metric keys', keys(none.metrics), keys(n.settings[0].metrics));
  same('work keys', keys(none.work.decode), keys(n.settings[0].work.decode));
  same('kernel keys', keys(none.kernels[0]), keys(n.settings[0].kernels[0]));
  same('tokens', b.settings.map((r) => `${r.prompt_tokens}->${r.kept_tokens}`).join(' '),
    n.settings.map((r) => `${r.prompt_tokens}->${r.kept_tokens}`).join(' '));
  same('LLM FLOPs', b.settings.map((r) => r.flops_llm).join(' '), n.settings.map((r) => r.flops_llm).join(' '));
  const report = path.join(tmp, `report-${backend}`);
  try {
    execFileSync(nativeVkvlm, ['report', file, native.file, '-o', report], { stdio: 'ignore' });
    const md = readFileSync(path.join(report, 'report.md'), 'utf8');
    check(`${label} vkvlm report reads it`, md.includes(`| bench-${backend}.json | model | ${d.name} |`) &&
      md.includes(`| ${d.name} | ${c.fastv} |`) &&
      md.includes(timed ? `GPU time per kernel on ${d.name}` : `Dispatches per kernel on ${d.name}`),
    md.slice(0, 600));
  } catch (e) {
    check(`${label} vkvlm report reads it`, false, e.message);
  }
}

async function runCase(engine, c, backend) {
  const dir = path.join(goldenDir, c.name);
  const expected = (f) => path.join(dir, 'expected', f);
  const label = `${c.name}/${backend}`;
  const files = {};
  for (const f of readdirSync(path.join(dir, 'checkpoint'))) files[f] = readFileSync(path.join(dir, 'checkpoint', f));
  const info = await engine.loadModel({ files });
  check(`${label} load`, info && info.backend === backend, `loaded on ${info && info.backend}`);
  const image = readFileSync(path.join(dir, 'image.png'));
  const gen = (reduce, onToken) => engine.generate({ image, prompt: PROMPT, maxTokens: 8, ignoreEos: true, reduce, onToken });

  if (c.fastv) {
    let streamed = '';
    const r = await gen(undefined, (text) => { streamed += text; });
    sameInts(`${label} prompt tokens`, r.prompt_tokens, expected('input_ids.bin'));
    sameInts(`${label} greedy tokens`, r.tokens, expected('greedy_tokens.bin'));
    check(`${label} streamed text`, streamed === r.text, `streamed ${JSON.stringify(streamed)}, result ${JSON.stringify(r.text)}`);
    check(`${label} result fields`, ['prompt_tokens', 'tokens', 'text', 'reduction', 'timings_ms'].every((k) => k in r) &&
      r.device.backend === backend, `fields ${Object.keys(r)}`);
    const f = await gen(c.fastv);
    sameInts(`${label} fastv greedy tokens`, f.tokens, expected('fastv_greedy_tokens.bin'));
    const red = f.reduction && f.reduction[0];
    check(`${label} fastv reduction`, f.reduction.length === 1 && red.method === 'fastv' && red.layer === 2,
      JSON.stringify(f.reduction).slice(0, 200));
    if (red) {
      sameInts(`${label} fastv kept positions`, red.kept_positions, expected('fastv_keep_positions.bin'));
      closeFloats(`${label} fastv scores`, red.scores, expected('fastv_scores.bin'), 1e-5);
    }
    const again = await gen();
    sameInts(`${label} greedy tokens after fastv`, again.tokens, expected('greedy_tokens.bin'));
    check(`${label} no reduction after fastv`, again.reduction.length === 0, JSON.stringify(again.reduction));
    if (c.benchmark) await benchCase(engine, c, backend, image);
    return;
  }

  const r = await gen(c.ficoco);
  sameInts(`${label} ${c.method} greedy tokens`, r.tokens, expected(`${c.prefix}_greedy_tokens.bin`));
  if (c.prefix === 'ficoco_v') sameInts(`${label} prompt tokens`, r.prompt_tokens, expected('ficoco_v_input_ids.bin'));
  const red = r.reduction && r.reduction[0];
  check(`${label} ${c.method} reduction`, r.reduction.length === 1 && red.method === c.method &&
    red.layers.length === c.layers, JSON.stringify(r.reduction).slice(0, 200));
  for (let i = 0; red && i < red.layers.length && i < c.layers; i++) {
    const L = red.layers[i];
    const l = c.first + i;
    const n = `${label} ${c.method} layer ${l}`;
    check(`${n} index`, L.layer === l, `layer ${L.layer}`);
    sameInts(`${n} discarded`, L.discarded, expected(`${c.prefix}_discarded_layer${l}.bin`));
    sameInts(`${n} targets`, L.targets, expected(`${c.prefix}_targets_layer${l}.bin`));
    closeFloats(`${n} alpha`, L.alpha, expected(`${c.prefix}_alpha_layer${l}.bin`), 1e-5);
    closeFloats(`${n} scores`, L.scores, expected(`${c.prefix}_scores_layer${l}.bin`), 1e-5);
    if (c.prefix === 'ficoco_v') sameInts(`${n} kept`, L.kept, expected(`ficoco_v_kept_layer${l}.bin`));
    else if (l + 1 < 6) sameInts(`${n} kept`, L.kept, expected(`ficoco_l_positions_layer${l + 1}.bin`));
  }
  if (red && c.prefix === 'ficoco_l') {
    sameInts(`${label} ficoco-l final positions`, red.kept_positions, expected('ficoco_l_final_positions.bin'));
  }
  const again = await gen();
  sameInts(`${label} plain greedy tokens after ${c.method}`, again.tokens, expected('greedy_tokens.bin'));
}

for (const backend of backends) {
  let engine;
  try {
    engine = await createEngine({ backend, fallback: false, dawnFlags, adapterOptions });
  } catch (e) {
    check(`${backend} engine`, false, e.message);
    continue;
  }
  const a = engine.adapterInfo();
  console.log(`${backend}: ${a.name} (${a.type}; max invocations ${a.max_workgroup_invocations}, ` +
    `binding ${Math.round(a.max_storage_buffer_binding_bytes / 2 ** 20)} MiB, shader-f16 ${a.shader_f16})`);
  check(`${backend} engine`, engine.backend === backend && a.backend === backend, `runs on ${a.backend}`);
  for (const c of cases) {
    try {
      await runCase(engine, c, backend);
    } catch (e) {
      check(`${c.name}/${backend}`, false, e.message);
    }
  }
  await engine.dispose();
}

// The CPU fallback's device block: WebGPU asked for, no adapter (a GPU object that finds none), the reason kept.
if (backends.includes('cpu')) {
  try {
    const engine = await createEngine({ backend: 'webgpu', gpu: { requestAdapter: async () => null } });
    await engine.loadModel({ tiny: 'llava' });
    const b = await engine.benchmark({ repeat: 1, image: false });
    const d = b.device;
    check('cpu fallback benchmark device block', engine.backend === 'cpu' && d.backend === 'cpu' &&
      d.requested_backend === 'webgpu' && /no adapter/.test(d.fallback_reason) && b.image === false &&
      b.model === 'tiny-llava' && b.source === 'tiny' && b.settings.length === 1 && b.settings[0].work.vision.submits === 0,
    JSON.stringify({ ...b, settings: undefined }).slice(0, 400));
    await engine.dispose();
  } catch (e) {
    check('cpu fallback benchmark device block', false, e.message);
  }
}
finish();
