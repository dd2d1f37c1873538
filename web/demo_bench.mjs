// demo_bench.mjs — the demo page's Benchmark section (web/index.html): engine.benchmark on the loaded model with
// the page's image, prompt and reduction, its progress, a table of the medians, and the JSON (the file
// `vkvlm bench -m DIR --json` writes) offered as a download. demo.mjs wires it in; the result and the link
// are on window.vkvlmDemo (benchResult, benchUrl) for tests/web/test_page_chromium.mjs.

const num = (v, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');
const positive = (v, digits = 1) => (v > 0 ? num(v, digits) : '–'); // 0: not measured (-n 1 decodes nothing)

// bench-<backend>-<adapter>.json, the adapter's name made safe for a file name.
export function benchFileName(result) {
  const d = result.device || {};
  const slug = String(d.name || 'device').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `bench-${d.backend || 'webgpu'}-${slug || 'device'}.json`;
}

// One row per setting, as `vkvlm report` tabulates them: the LLM FLOPs against `none`.
export function fillBenchTable(table, result) {
  const head = ['setting', 'tokens', 'vision ms', 'prefill ms', 'range', 'TTFT ms', 'prefill tok/s', 'decode tok/s',
    'dispatches / token', 'LLM FLOPs'];
  const base = result.settings[0] || {};
  const rows = result.settings.map((r) => [r.reduce, `${r.prompt_tokens} → ${r.kept_tokens}`, num(r.vision_ms),
    num(r.prefill_ms), `${num(r.prefill_ms_min)}–${num(r.prefill_ms_max)}`, num(r.ttft_ms),
    num(r.prefill_tokens_per_s), positive(r.decode_tokens_per_s), positive(r.dispatches_per_decoded_token),
    base.flops_llm > 0 ? (r.flops_llm / base.flops_llm).toFixed(2) + 'x' : '–']);
  const line = (cells, tag) => {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement(tag);
      td.textContent = c;
      tr.append(td);
    }
    return tr;
  };
  table.replaceChildren(line(head, 'th'), ...rows.map((r) => line(r, 'td')));
}

// ctx: {demo, $, status, reduceSpec, setIdle(idle)}: the page's state and helpers from demo.mjs.
export function setupBenchmark(ctx) {
  const { demo, $, status } = ctx;
  const link = $('benchJson');
  const clamp = (v, lo, hi, d) => Math.min(hi, Math.max(lo, Math.round(Number(v)) || d));

  async function run() {
    if (!demo.engine || !demo.model || demo.busy) return;
    demo.busy = true;
    demo.benchResult = null;
    demo.error = null;
    ctx.setIdle(false);
    link.hidden = true;
    if (demo.benchUrl) URL.revokeObjectURL(demo.benchUrl);
    demo.benchUrl = null;
    $('benchTable').replaceChildren();
    $('benchProgress').value = 0;
    const spec = ctx.reduceSpec();
    status('Benchmarking…');
    try {
      const r = await demo.engine.benchmark({
        reduce: spec === 'none' ? [] : [spec],
        repeat: clamp($('benchRepeat').value, 1, 50, 3),
        maxNewTokens: clamp($('benchTokens').value, 1, 256, 4),
        prompt: $('prompt').value,
        image: demo.imageBytes || undefined,
      }, (p) => {
        $('benchProgress').value = p.fraction;
        $('benchText').textContent = p.done ? 'done' : `${p.setting} (setting ${p.index + 1} of ${p.settings}): ` +
          (p.run < 0 ? 'warm-up' : `run ${p.run + 1} of ${p.repeat}`);
      });
      fillBenchTable($('benchTable'), r);
      demo.benchUrl = URL.createObjectURL(new Blob([JSON.stringify(r, null, 2) + '\n'], { type: 'application/json' }));
      link.href = demo.benchUrl;
      link.download = benchFileName(r);
      link.textContent = `download ${link.download}`;
      link.hidden = false;
      const timed = r.device && r.device.timestamps;
      $('benchText').textContent = `${r.settings.length} setting${r.settings.length === 1 ? '' : 's'}, ` +
        `${r.repeat} run${r.repeat === 1 ? '' : 's'} each after a warm-up, on ${String(r.device.name).trim()}. ` +
        (timed ? '' : 'No GPU timestamps on this backend: times are wall-clock, per-kernel GPU time is not in the file.');
      demo.benchResult = r;
      status(`Benchmark done on ${r.device.backend === 'webgpu' ? 'WebGPU' : 'the CPU backend'}.`);
    } catch (e) {
      demo.error = String(e.message || e);
      status('Benchmark failed: ' + demo.error, 'error');
    } finally {
      demo.busy = false;
      ctx.setIdle(true);
    }
  }
  $('bench').addEventListener('click', run);
}
