// demo.mjs — the demo page's logic (web/index.html) on top of web/vkvlm.mjs: choose a backend and a model
// (the bundled tiny model made in memory, a URL, or a local folder), drop an image, type a prompt, stream
// the answer; FastV / FiCoCo controls; a heat map of the image patches the reduction kept; adapter info
// and timings; the Benchmark section (demo_bench.mjs). window.vkvlmDemo exposes the state for
// tests/web/test_page_chromium.mjs.
import { setupBenchmark } from './demo_bench.mjs';
import { createEngine } from './vkvlm.mjs';

const $ = (id) => document.getElementById(id);
const demo = { engine: null, model: null, image: null, imageBytes: null, lastResult: null, busy: false, error: null };
window.vkvlmDemo = demo;

function status(text, kind = '') {
  const el = $('status');
  el.textContent = text;
  el.className = kind;
}

function fillTable(table, rows) {
  table.replaceChildren(...rows.filter((r) => r[1] !== undefined && r[1] !== null && r[1] !== '').map(([k, v]) => {
    const tr = document.createElement('tr');
    const a = document.createElement('td');
    const b = document.createElement('td');
    a.textContent = k;
    b.textContent = String(v);
    tr.append(a, b);
    return tr;
  }));
}

// Generate and Benchmark need a loaded model and an idle engine.
function modelButtons(on) {
  $('run').disabled = !on;
  $('bench').disabled = !on;
}

const mib = (b) => (b / 2 ** 20).toFixed(b < 2 ** 24 ? 2 : 0) + ' MiB';

function showAdapter() {
  const a = demo.engine.adapterInfo();
  fillTable($('adapter'), [
    ['backend', a.backend], ['device', a.name], ['type', a.type], ['driver', a.driver_info || a.driver],
    ['shader-f16', a.backend === 'webgpu' ? (a.shader_f16 ? 'yes' : 'no') : undefined],
    ['subgroups', a.subgroup_max_size > 1 ? `${a.subgroup_min_size}..${a.subgroup_max_size}` : 'no'],
    ['invocations / workgroup', a.max_workgroup_invocations],
    ['workgroup storage', a.max_workgroup_storage_bytes + ' B'],
    ['largest binding', mib(a.max_storage_buffer_binding_bytes)],
  ]);
}

async function startEngine() {
  const backend = $('backend').value;
  modelButtons(false);
  if (demo.engine) await demo.engine.dispose();
  demo.engine = null;
  demo.model = null;
  fillTable($('modelInfo'), []);
  const hasWebGPU = typeof navigator !== 'undefined' && !!navigator.gpu;
  status(`Starting the ${backend === 'webgpu' ? 'WebGPU' : 'CPU'} engine…`);
  try {
    demo.engine = await createEngine({ backend });
  } catch (e) {
    demo.error = String(e.message || e);
    status('Could not start the engine: ' + demo.error, 'error');
    return;
  }
  showAdapter();
  const a = demo.engine.adapterInfo();
  if (backend === 'webgpu' && a.backend !== 'webgpu') {
    $('backend').value = 'cpu';
    const why = String(a.fallback_reason || '').replace(/^WebGPU is unavailable: /, '');
    status((hasWebGPU ? `WebGPU is present but has no usable adapter (${why}).`
      : 'This browser has no WebGPU (navigator.gpu is missing; Chromium needs a recent version, or ' +
        '--enable-unsafe-webgpu on Linux).') + ' Running on the CPU backend (WebAssembly) instead: slower, same answers.',
    'warn');
  } else {
    status(`Ready on ${a.backend === 'webgpu' ? 'WebGPU' : 'the CPU backend'}: ${a.name}. Load a model.`);
  }
}

function modelSource() {
  return document.querySelector('input[name=source]:checked').value;
}

async function loadModel() {
  if (!demo.engine || demo.busy) return;
  demo.busy = true;
  $('load').disabled = true;
  modelButtons(false);
  const progress = (stage, fraction) => {
    $('loadProgress').value = fraction;
    $('loadText').textContent = `${stage} ${Math.round(fraction * 100)} %`;
  };
  try {
    const src = modelSource();
    let opts;
    if (src === 'tiny') opts = { tiny: $('tinyFamily').value };
    else if (src === 'url') {
      const url = $('modelUrl').value.trim();
      if (!url) throw new Error('type the URL of a Hugging Face model directory');
      opts = { baseUrl: url };
    } else {
      const files = $('modelFolder').files;
      if (!files || !files.length) throw new Error('choose a local model folder');
      opts = { files };
    }
    status('Loading the model…');
    const t0 = performance.now();
    demo.model = await demo.engine.loadModel({ ...opts, onProgress: progress });
    const m = demo.model;
    fillTable($('modelInfo'), [
      ['model', m.model_type], ['image tokens', m.image_tokens], ['vocabulary', m.vocab_size],
      ['context', m.context_length + ' tokens'], ['weights', mib(m.weight_bytes)], ['device memory', mib(m.planned_bytes)],
      ['load', (performance.now() - t0).toFixed(0) + ' ms'],
    ]);
    if (src === 'tiny' && !demo.imageBytes) {
      const sample = demo.engine.modelFile('sample.png');
      if (sample) await setImage(new Blob([sample], { type: 'image/png' }));
    }
    status(`Model loaded on ${demo.engine.adapterInfo().name}.` +
      (src === 'tiny' ? ' The tiny model has random weights: its answer is noise, but the same noise as the native CLI.' : ''));
    modelButtons(true);
  } catch (e) {
    demo.error = String(e.message || e);
    status('Loading failed: ' + demo.error, 'error');
  } finally {
    demo.busy = false;
    $('load').disabled = false;
  }
}

async function setImage(blob) {
  demo.imageBytes = new Uint8Array(await blob.arrayBuffer());
  const url = URL.createObjectURL(blob);
  const img = new Image();
  await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = () => reject(new Error('not an image')); img.src = url; });
  demo.image = img;
  drawHeat(null);
  $('drop').firstChild.textContent = `${blob.name || 'image'} (${img.naturalWidth}×${img.naturalHeight}) — drop another, or `;
}

function reduceSpec() {
  const m = $('method').value;
  $('fastvOpts').style.display = m === 'fastv' ? '' : 'none';
  $('ficocoOpts').style.display = m.startsWith('ficoco') ? '' : 'none';
  let spec = 'none';
  if (m === 'fastv') spec = `fastv:k=${$('fastvK').value},r=${$('fastvR').value}`;
  if (m.startsWith('ficoco')) spec = `${m}:start=${$('ficocoStart').value},remove=${$('ficocoRemove').value}`;
  $('spec').value = spec;
  return spec;
}

// Per image patch (raster order): kept or not, and a score in 0..1 for the colour (null: no scores).
function patchesOf(r) {
  const red = r && r.reduction && r.reduction[0];
  const imageId = demo.model && demo.model.image_token_id;
  const imagePos = [];
  (r ? r.prompt_tokens : []).forEach((t, p) => { if (t === imageId) imagePos.push(p); });
  const rank = (scores) => {
    if (!scores || !scores.length) return null;
    const lo = Math.min(...scores);
    const hi = Math.max(...scores);
    return scores.map((s) => (hi > lo ? (s - lo) / (hi - lo) : 1));
  };
  if (!red) return imagePos.length ? { n: imagePos.length, kept: imagePos.map(() => true), score: null } : null;
  if (red.method === 'ficoco-v' && red.layers && red.layers.length) {
    const last = red.layers[red.layers.length - 1];
    const n = last.kept.length + red.layers.reduce((s, L) => s + L.discarded.length, 0);
    const kept = new Array(n).fill(false);
    for (const k of last.kept) kept[k] = true;
    const s0 = red.layers[0].scores;
    return { n, kept, score: s0 && s0.length === n ? rank(s0.map((v) => -v)) : null };
  }
  if (red.kept_positions && imagePos.length) { // fastv, ficoco-l: prompt positions
    const keep = new Set(red.kept_positions);
    const scores = red.scores || (red.layers && red.layers[0] && red.layers[0].scores);
    return { n: imagePos.length, kept: imagePos.map((p) => keep.has(p)),
      score: scores && scores.length === imagePos.length ? rank(red.method === 'fastv' ? scores : scores.map((v) => -v)) : null };
  }
  return null;
}

function drawHeat(r) {
  const c = $('heat');
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  if (demo.image) { // the centre square, as CLIP-style preprocessing crops it
    const w = demo.image.naturalWidth;
    const h = demo.image.naturalHeight;
    const s = Math.min(w, h);
    g.imageSmoothingEnabled = true;
    g.drawImage(demo.image, (w - s) / 2, (h - s) / 2, s, s, 0, 0, c.width, c.height);
  }
  const p = patchesOf(r);
  $('reductionText').textContent = '';
  if (!p) return;
  const side = Math.round(Math.sqrt(p.n));
  if (side * side !== p.n) {
    $('reductionText').textContent = `${p.kept.filter(Boolean).length} of ${p.n} image tokens kept`;
    return;
  }
  const cw = c.width / side;
  const ch = c.height / side;
  for (let i = 0; i < p.n; i++) {
    const x = (i % side) * cw;
    const y = Math.floor(i / side) * ch;
    if (!p.kept[i]) {
      g.fillStyle = 'rgba(20, 20, 24, 0.78)';
      g.fillRect(x, y, cw, ch);
    } else if (p.score) {
      g.fillStyle = `rgba(255, 190, 40, ${0.15 + 0.45 * p.score[i]})`;
      g.fillRect(x, y, cw, ch);
    }
    g.strokeStyle = 'rgba(255, 255, 255, 0.35)';
    g.strokeRect(x + 0.5, y + 0.5, cw - 1, ch - 1);
  }
  const red = r.reduction[0];
  $('reductionText').textContent = red
    ? `${red.method}: ${p.kept.filter(Boolean).length} of ${p.n} image patches kept` +
      (red.layers ? ` after ${red.layers.length} merge layers` : ` (from layer ${red.layer})`)
    : `no reduction: all ${p.n} image tokens`;
}

async function generate() {
  if (!demo.engine || !demo.model || demo.busy) return;
  demo.busy = true;
  modelButtons(false);
  $('answer').textContent = '';
  $('tokens').textContent = '';
  status('Generating…');
  const streamed = [];
  try {
    const r = await demo.engine.generate({
      image: demo.imageBytes || undefined,
      prompt: $('prompt').value,
      maxTokens: Number($('maxTokens').value) || 16,
      temperature: Number($('temperature').value) || 0,
      ignoreEos: $('ignoreEos').checked,
      reduce: reduceSpec(),
      onToken: (text, id) => { streamed.push(id); $('answer').textContent += text; },
    });
    demo.lastResult = r;
    demo.streamed = streamed;
    $('answer').textContent = r.text;
    $('tokens').textContent = `${r.prompt_tokens.length} prompt tokens; generated ids ${r.tokens.join(' ')}`;
    const t = r.timings_ms;
    fillTable($('timings'), [
      ['preprocess', t.preprocess.toFixed(1) + ' ms'], ['vision', t.vision.toFixed(1) + ' ms'],
      ['prefill', t.prefill.toFixed(1) + ' ms'], ['decode', t.decode.toFixed(1) + ' ms'],
      ['decode speed', r.decode_tokens_per_s.toFixed(2) + ' tokens/s'],
      ['FLOPs (actual / baseline)', `${(r.flops.actual / 1e9).toFixed(3)} / ${(r.flops.baseline / 1e9).toFixed(3)} G`],
      ['device', r.device.name],
    ]);
    drawHeat(r);
    status(`Done: ${r.tokens.length} tokens on ${r.device.backend === 'webgpu' ? 'WebGPU' : 'the CPU backend'}.`);
  } catch (e) {
    demo.error = String(e.message || e);
    status('Generation failed: ' + demo.error, 'error');
  } finally {
    demo.busy = false;
    modelButtons(true);
  }
}

// ---------------------------------------------------------------- wiring
$('backend').addEventListener('change', startEngine);
$('load').addEventListener('click', loadModel);
$('run').addEventListener('click', generate);
for (const id of ['method', 'fastvK', 'fastvR', 'ficocoStart', 'ficocoRemove']) $(id).addEventListener('input', reduceSpec);
$('modelUrl').addEventListener('focus', () => { document.querySelector('input[value=url]').checked = true; });
$('modelFolder').addEventListener('change', () => { document.querySelector('input[value=folder]').checked = true; });
$('imageFile').addEventListener('change', (e) => { if (e.target.files[0]) setImage(e.target.files[0]).catch((x) => status(x.message, 'error')); });
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer.files[0];
  if (f) setImage(f).catch((x) => status(x.message, 'error'));
});
setupBenchmark({ demo, $, status, reduceSpec, setIdle: (idle) => {
  $('load').disabled = !idle;
  modelButtons(idle && !!demo.model);
} });
reduceSpec();
drawHeat(null);
demo.started = startEngine().then(() => { demo.ready = true; });
