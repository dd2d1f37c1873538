// test_ops_node.mjs — runs the wasm op-check module (build-web/vkvlm_ops_web.js) under Node with Dawn
// (npm `webgpu`, installed by `tools/setup.sh web` into web/node_modules), no browser needed.
//
// usage: node tests/web/test_ops_node.mjs [path/to/vkvlm_ops_web.js] [filter]
// env:   VKVLM_WEBGPU_ADAPTER  swiftshader (default: Dawn's Vulkan backend on SwiftShader's ICD) | gles
//                              (Dawn's OpenGL ES backend on Mesa llvmpipe, compatibility mode: faster)
//        VKVLM_WEB_TIMEOUT_S   hard limit for the whole run (default 300)
// Prints the module's per-case lines and closes with "N passed, N failed" (skips: kernels without a WGSL
// twin yet). Exit status 0 only when nothing failed.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const modulePath = path.resolve(process.argv[2] || path.join(root, 'build-web', 'vkvlm_ops_web.js'));
const filter = process.argv[3] || '';
const adapterKind = process.env.VKVLM_WEBGPU_ADAPTER || 'swiftshader';
const timeoutS = Number(process.env.VKVLM_WEB_TIMEOUT_S || 300);

// Every exit goes through here, so a hung promise can never keep the process alive past the limit.
const started = Date.now();
const timer = setTimeout(() => {
  console.log(`FAIL timeout: no result after ${timeoutS} s`);
  console.log('0 passed, 1 failed');
  process.exit(124);
}, timeoutS * 1000);

function bail(msg) {
  console.log(`FAIL setup: ${msg}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (!existsSync(modulePath)) bail(`${modulePath} not found (build it: make build-web)`);
const dawnEntry = path.join(root, 'web', 'node_modules', 'webgpu', 'index.js');
if (!existsSync(dawnEntry)) bail('web/node_modules/webgpu missing (run: tools/setup.sh web)');

// Dawn picks its native backend when the GPU object is created, from these settings.
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
const { create, globals } = await import(dawnEntry);
Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode, GPUShaderStage for the JS library
const gpu = create(dawnFlags);

const require = createRequire(import.meta.url);
const factory = require(modulePath);
let passed = 0;
let failed = 0;
let skipped = 0;
let sawSummary = false;
const onLine = (line) => {
  console.log(line);
  const m = /^(\d+) passed, (\d+) failed, (\d+) skipped$/.exec(line);
  if (m) {
    [passed, failed, skipped] = m.slice(1).map(Number);
    sawSummary = true;
  }
};
const finish = (status) => {
  clearTimeout(timer);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (!sawSummary) failed += 1;
  const ok = status === 0 && sawSummary && failed === 0;
  console.log(`webgpu ops under Node/Dawn (${adapterKind}) in ${secs} s: ${skipped} skipped`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(ok ? 0 : 1);
};

// Not awaited: 3.1.6's module object is a thenable that never settles for `await`. Completion arrives
// through onExit (main returned or exit() was called) or onAbort (a trap or abort()).
factory({
  webgpu: gpu,
  webgpuAdapterOptions: adapterOptions,
  arguments: filter ? [filter] : [],
  print: onLine,
  printErr: (line) => console.error(line),
  // main ends with exit(): under ASYNCIFY, 3.1.6 treats main's first unwind as its return (it calls
  // quit, so no quit hook here) and never sees the real return; exit() reaches onExit.
  onExit: (status) => finish(status),
  onAbort: (what) => {
    console.log(`FAIL abort: ${what}`);
    failed += 1;
    finish(1);
  },
});
