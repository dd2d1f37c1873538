// vkvlm.mjs — the JS API of the wasm engine (build-web/vkvlm_web.js, built by `make build-web`), for browsers
// and Node. docs/web.md describes it; web/index.html is a page that uses it.
//
//   import { createEngine } from './vkvlm.mjs';
//   const engine = await createEngine({backend: 'webgpu'});   // or 'cpu'; WebGPU absent: cpu (see below)
//   await engine.loadModel({baseUrl: 'models/tiny-llava/'});   // or {files: {'config.json': bytes, ...}}
//                                                              // or {tiny: 'llava' | 'idefics3'} (made here)
//   const r = await engine.generate({image, prompt: 'What is shown?', maxTokens: 16,
//                                    reduce: 'fastv:k=2,r=0.5', onToken: (text) => out.append(text)});
//   r.tokens, r.text, r.reduction, r.timings_ms ...   // the fields of `vkvlm run --json`
//   const b = await engine.benchmark({reduce: ['fastv:k=2,r=0.5'], repeat: 3}, (p) => show(p.fraction));
//   b.kind === 'model'; b.settings[0].metrics.prefill_ms.median ...   // the file `vkvlm bench -m DIR --json` writes
//   engine.adapterInfo(); engine.dispose();
//
// createEngine options:
//   backend       'webgpu' (default) | 'cpu'. 'webgpu' without a usable adapter falls back to 'cpu' unless
//                 fallback is false; adapterInfo().fallback_reason then says why.
//   fallback      true (default) | false: throw when WebGPU is unavailable instead.
//   gpu           the GPU object to use (default navigator.gpu; in Node, Dawn from the npm `webgpu`
//                 package: create(dawnFlags)).
//   dawnFlags     Node only: flags for Dawn's create() (['backend=opengles'] for Mesa's GLES).
//   adapterOptions  passed to requestAdapter ({featureLevel: 'compatibility'} for Dawn's GLES backend).
//   moduleUrl     where vkvlm_web.js is (default ../build-web/vkvlm_web.js next to this file).
//   onLog         (level, message): library messages (0 error, 1 warning); default console.warn.
//
// The engine runs on the calling thread; the GPU waits and one zero-delay yield per streamed token return
// to the event loop, so a page stays responsive enough to draw the answer as it comes. Calls are queued:
// one runs at a time.

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);

// Every model file a Hugging Face VLM directory may carry besides the weights; missing ones are skipped.
const OPTIONAL_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json',
  'preprocessor_config.json', 'processor_config.json', 'chat_template.json', 'chat_template.jinja',
  'added_tokens.json', 'vocab.json', 'merges.txt'];

let moduleCounter = 0;

async function loadFactory(moduleUrl) {
  if (isNode) {
    const { createRequire } = await import('node:module');
    const { fileURLToPath } = await import('node:url');
    const require = createRequire(import.meta.url);
    return require(fileURLToPath(moduleUrl));
  }
  if (typeof globalThis.createVkvlm === 'function') return globalThis.createVkvlm;
  if (typeof document === 'undefined') {
    // A worker: classic importScripts.
    globalThis.importScripts(String(moduleUrl));
    return globalThis.createVkvlm;
  }
  await new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = String(moduleUrl);
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${moduleUrl} (build it: make build-web)`));
    document.head.appendChild(s);
  });
  if (typeof globalThis.createVkvlm !== 'function') throw new Error(`${moduleUrl} did not define createVkvlm`);
  return globalThis.createVkvlm;
}

async function findGpu(options) {
  if (options.gpu) return options.gpu;
  if (typeof navigator !== 'undefined' && navigator.gpu) return navigator.gpu;
  if (!isNode) return null;
  try {
    const dawn = await import('webgpu');
    if (typeof globalThis.GPUBufferUsage === 'undefined') Object.assign(globalThis, dawn.globals);
    return dawn.create(options.dawnFlags || []);
  } catch (e) {
    return null;
  }
}

async function toBytes(v) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v && typeof v.arrayBuffer === 'function') return new Uint8Array(await v.arrayBuffer()); // Blob, File, Response
  if (typeof v === 'string') return new TextEncoder().encode(v);
  throw new TypeError('expected an ArrayBuffer, a typed array or a Blob');
}

// {name: bytes} | Map | [File, ...] | FileList (a folder picker's files: the directory part is dropped).
function fileEntries(files) {
  if (files instanceof Map) return [...files.entries()];
  if (Array.isArray(files) || (typeof FileList !== 'undefined' && files instanceof FileList)) {
    return [...files].map((f) => [String(f.name).split('/').pop(), f]);
  }
  return Object.entries(files);
}

function joinUrl(base, name) {
  const b = String(base);
  return b.endsWith('/') ? b + name : b + '/' + name;
}

async function fetchModel(baseUrl, onProgress) {
  const get = async (name, optional) => {
    const res = await fetch(joinUrl(baseUrl, name));
    if (!res.ok) {
      if (optional) return null;
      throw new Error(`${joinUrl(baseUrl, name)}: HTTP ${res.status}`);
    }
    return new Uint8Array(await res.arrayBuffer());
  };
  const files = new Map();
  files.set('config.json', await get('config.json', false));
  const index = await get('model.safetensors.index.json', true);
  let weights = ['model.safetensors'];
  if (index) {
    files.set('model.safetensors.index.json', index);
    const map = JSON.parse(new TextDecoder().decode(index)).weight_map || {};
    weights = [...new Set(Object.values(map))].sort();
  }
  const optional = await Promise.all(OPTIONAL_FILES.map((n) => get(n, true)));
  OPTIONAL_FILES.forEach((n, i) => { if (optional[i]) files.set(n, optional[i]); });
  for (let i = 0; i < weights.length; i++) {
    if (onProgress) onProgress('downloading ' + weights[i], i / weights.length);
    files.set(weights[i], await get(weights[i], false));
  }
  if (onProgress) onProgress('downloading', 1);
  return files;
}

export async function createEngine(options = {}) {
  const wanted = options.backend || 'webgpu';
  if (wanted !== 'webgpu' && wanted !== 'cpu') throw new Error(`backend '${wanted}': expected 'webgpu' or 'cpu'`);
  const moduleUrl = options.moduleUrl || new URL('../build-web/vkvlm_web.js', import.meta.url);
  const factory = await loadFactory(moduleUrl);
  const gpu = wanted === 'webgpu' ? await findGpu(options) : null;
  const onLog = options.onLog || ((level, msg) => { if (level <= 1) console.warn('vkvlm: ' + msg); });

  // Not awaited: 3.1.6's module object is a thenable that never settles for `await`.
  const M = await new Promise((resolve, reject) => {
    const mod = {
      webgpu: gpu,
      webgpuAdapterOptions: options.adapterOptions || {},
      print: (line) => console.log(line),
      printErr: (line) => onLog(1, line),
      vkvlmOnLog: onLog,
      onRuntimeInitialized: () => resolve({ mod }),
      onAbort: (what) => reject(new Error('vkvlm module aborted: ' + what)),
    };
    factory(mod);
  }).then((box) => box.mod);

  let queue = Promise.resolve();
  const serial = (fn) => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  const call = (name, ret, types, args) => M.ccall(name, ret, types, args, { async: true });
  const lastError = () => M.UTF8ToString(M._vkvlm_web_last_error());
  const readInfo = () => JSON.parse(M.UTF8ToString(M._vkvlm_web_info()));

  let backend = wanted;
  let fallbackReason = null;
  if (wanted === 'webgpu') {
    if (!gpu || !(await call('vkvlm_web_probe', 'number', ['string'], ['webgpu']))) {
      const why = gpu ? lastError() : 'WebGPU is unavailable: navigator.gpu is missing (this browser has no ' +
        'WebGPU, or it is disabled; Chromium: --enable-unsafe-webgpu)';
      if (options.fallback === false) throw new Error(why);
      backend = 'cpu';
      fallbackReason = why;
    }
  }
  if (backend === 'cpu' && !(await call('vkvlm_web_probe', 'number', ['string'], ['cpu']))) {
    throw new Error(lastError());
  }
  const adapter = readInfo();
  let session = null;
  let modelDir = null;
  let modelName = null; // what a benchmark file calls the model: the URL, the tiny family, or opts.name
  let modelSource = null;
  let disposed = false;

  const removeTree = (dir) => {
    try {
      for (const name of M.FS.readdir(dir)) {
        if (name === '.' || name === '..') continue;
        M.FS.unlink(dir + '/' + name);
      }
      M.FS.rmdir(dir);
    } catch (e) { /* already gone */ }
  };
  const check = () => { if (disposed) throw new Error('the engine was disposed'); };
  const configName = () => {
    try {
      return JSON.parse(new TextDecoder().decode(M.FS.readFile(modelDir + '/config.json')))._name_or_path || null;
    } catch (e) {
      return null;
    }
  };

  const engine = {
    backend,

    // {baseUrl} | {files} | {tiny: family} (the random-weight tiny model `vkvlm_make_tiny --family F`
    // writes, made in memory: nothing to download); contextLength (KV cache tokens, default
    // min(max_position_embeddings, 2048)); onProgress(stage, fraction); name (what benchmark files call the
    // model; default the URL, tiny-<family>, or config.json's _name_or_path for files). Resolves to the
    // model's description.
    loadModel: (opts = {}) => serial(async () => {
      check();
      const onProgress = opts.onProgress;
      let entries = null;
      if (opts.files) entries = fileEntries(opts.files);
      else if (opts.baseUrl) entries = [...(await fetchModel(opts.baseUrl, onProgress)).entries()];
      else if (!opts.tiny) throw new Error('loadModel: give baseUrl, files or tiny');
      await call('vkvlm_web_unload', null, [], []);
      session = null;
      if (modelDir) removeTree(modelDir);
      modelDir = `/models/m${++moduleCounter}`;
      M.FS.mkdirTree(modelDir);
      if (entries) {
        for (const [name, value] of entries) {
          if (value == null || name.includes('/') || name.startsWith('.')) continue;
          M.FS.writeFile(modelDir + '/' + name, await toBytes(value));
        }
      } else {
        if (onProgress) onProgress('making the tiny model', 0);
        const family = opts.tiny === true ? 'llava' : String(opts.tiny);
        if (!(await call('vkvlm_web_make_tiny', 'number', ['string', 'string'], [modelDir, family]))) {
          throw new Error(lastError());
        }
      }
      M.vkvlmOnProgress = onProgress || null;
      try {
        const ok = await call('vkvlm_web_load', 'number', ['string', 'string', 'number'],
          [modelDir, backend, opts.contextLength | 0]);
        if (!ok) throw new Error(lastError());
      } finally {
        M.vkvlmOnProgress = null;
      }
      session = readInfo();
      modelSource = opts.files ? 'files' : opts.baseUrl ? 'url' : 'tiny';
      modelName = opts.name ? String(opts.name) : opts.baseUrl ? String(opts.baseUrl)
        : opts.tiny ? `tiny-${opts.tiny === true ? 'llava' : String(opts.tiny)}` : configName() || 'files';
      if (onProgress) onProgress('ready', 1);
      return session;
    }),

    // image: the encoded file's bytes (PNG, JPEG, ...) or omitted; prompt (chat template applied) or rawPrompt;
    // maxTokens (default 32), temperature (0: greedy), topK, topP, repetitionPenalty, seed, ignoreEos;
    // reduce: a --reduce spec or an array of them; onToken(text, tokenId) streams (return false to stop).
    generate: (opts = {}) => serial(async () => {
      check();
      if (!session) throw new Error('generate: no model loaded (call loadModel first)');
      let imagePath = null;
      if (opts.image != null) {
        imagePath = `/tmp/vkvlm-image-${++moduleCounter}`;
        M.FS.mkdirTree('/tmp');
        M.FS.writeFile(imagePath, await toBytes(opts.image));
      }
      const request = {
        prompt: opts.prompt, raw_prompt: opts.rawPrompt, image: imagePath, max_tokens: opts.maxTokens,
        temperature: opts.temperature, top_k: opts.topK, top_p: opts.topP,
        repetition_penalty: opts.repetitionPenalty, seed: opts.seed, ignore_eos: !!opts.ignoreEos,
        reduce: opts.reduce == null ? [] : Array.isArray(opts.reduce) ? opts.reduce : [opts.reduce],
        stream: typeof opts.onToken === 'function',
      };
      M.vkvlmOnToken = request.stream ? (id, text) => opts.onToken(text, id) : null;
      let ptr = 0;
      try {
        ptr = await call('vkvlm_web_generate', 'number', ['string'], [JSON.stringify(request)]);
        if (!ptr) throw new Error(lastError());
        return JSON.parse(M.UTF8ToString(ptr));
      } finally {
        if (ptr) M._free(ptr);
        M.vkvlmOnToken = null;
        if (imagePath) { try { M.FS.unlink(imagePath); } catch (e) { /* gone */ } }
      }
    }),

    // `vkvlm bench -m DIR` on the loaded model: `none`, then each of `reduce` (--reduce specs), each a
    // warm-up and `repeat` timed runs (default 3) of `maxNewTokens` (default 1) new tokens; `prompt`
    // (default "Describe this image.") or `promptTokens` N (a text-only prompt of exactly N ids); `image`:
    // encoded bytes, false for text only, or absent: the model's sample.png when it has one (the tiny
    // models), else text only; `model` names the model in the file. onProgress({setting, index, settings,
    // run, repeat, fraction}) before each run (run -1: the warm-up), then ({done: true, fraction: 1}).
    // Resolves to the JSON object the CLI writes (kind "model", the same schema); its device block
    // describes the WebGPU adapter, or the CPU backend with fallback_reason. On WebGPU (no timestamps) the
    // GPU times are null. docs/web.md has the fields.
    benchmark: (opts = {}, onProgress) => serial(async () => {
      check();
      if (!session) throw new Error('benchmark: no model loaded (call loadModel first)');
      const reduce = opts.reduce == null ? [] : Array.isArray(opts.reduce) ? opts.reduce.map(String) : [String(opts.reduce)];
      const promptTokens = opts.promptTokens | 0;
      if (promptTokens > 0 && opts.image) throw new Error('benchmark: image and promptTokens exclude each other');
      const textOnly = promptTokens > 0 || opts.image === false || opts.image === null;
      let imagePath = null;
      let written = null; // a file of ours, removed afterwards
      if (!textOnly && opts.image !== undefined) {
        written = `/tmp/vkvlm-image-${++moduleCounter}`;
        M.FS.mkdirTree('/tmp');
        M.FS.writeFile(written, await toBytes(opts.image));
        imagePath = written;
      } else if (!textOnly && engine.modelFile('sample.png')) {
        imagePath = modelDir + '/sample.png'; // as the CLI's DIR/sample.png default
      }
      const request = {
        reduce, repeat: opts.repeat, max_new_tokens: opts.maxNewTokens, prompt: opts.prompt,
        prompt_tokens: promptTokens, image: imagePath, model: opts.model || modelName, source: modelSource,
        requested_backend: wanted, fallback_reason: fallbackReason,
      };
      const runs = reduce.length + 1;
      M.vkvlmOnBenchProgress = typeof onProgress === 'function' ? (setting, index, settings, run, repeat) =>
        onProgress({ setting, index, settings, run, repeat,
          fraction: (index * (repeat + 1) + run + 1) / (settings * (repeat + 1)) }) : null;
      let ptr = 0;
      try {
        ptr = await call('vkvlm_web_benchmark', 'number', ['string'], [JSON.stringify(request)]);
        if (!ptr) throw new Error(lastError());
        const result = JSON.parse(M.UTF8ToString(ptr));
        if (typeof onProgress === 'function') onProgress({ done: true, settings: runs, fraction: 1 });
        return result;
      } finally {
        if (ptr) M._free(ptr);
        M.vkvlmOnBenchProgress = null;
        if (written) { try { M.FS.unlink(written); } catch (e) { /* gone */ } }
      }
    }),

    // A file of the loaded model directory (the tiny model's sample.png, config.json, ...) or null.
    modelFile: (name) => {
      if (!modelDir) return null;
      try { return M.FS.readFile(modelDir + '/' + name); } catch (e) { return null; }
    },

    // The device the engine runs on (limits as read from the adapter), the model once loaded, and why
    // WebGPU was not used when it fell back to the CPU.
    adapterInfo: () => ({ ...adapter, fallback_reason: fallbackReason, model: session }),

    dispose: () => serial(async () => {
      if (disposed) return;
      await call('vkvlm_web_unload', null, [], []);
      if (modelDir) removeTree(modelDir);
      session = null;
      disposed = true;
    }),
  };
  return engine;
}
