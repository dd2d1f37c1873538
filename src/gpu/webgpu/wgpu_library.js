// wgpu_library.js — the WebGPU half of the webgpu backend, an Emscripten JS library (--js-library).
//
// Why a JS library instead of Emscripten's webgpu.h: 3.1.6's webgpu.h is the early-2022 API and its glue
// calls methods browsers have since removed (dispatch). This file speaks the standard `navigator.gpu` API
// directly, so it works in a browser and under Node with Dawn (npm `webgpu`), whichever is newer.
//
// The C part (wgpu_backend.c) sees small integer handles; the objects live in one table here. Functions
// that wait for the GPU (adapter, device, readback, queue completion) are ASYNCIFY imports: the C stack
// unwinds while the promise runs and resumes with its result.
//
// Where the GPU object comes from: Module.webgpu (Node: `create([...])` from the `webgpu` package), else
// navigator.gpu. Module.webgpuAdapterOptions is passed to requestAdapter (e.g. {featureLevel:
// 'compatibility'} for Dawn's OpenGL ES backend).
//
// $VW's methods are written `name: function()`: 3.1.6's library stringifier mangles method shorthand.
//
// Binding convention (shaders/wgsl/README.md): group 0, storage buffers at bindings 0..n-1 exactly as the
// kernel table lists them, then the parameter struct as a uniform buffer at binding n. Bindings the table
// marks written are 'storage' (WGSL read_write), the rest 'read-only-storage' (WGSL read). WebGPU rejects a
// buffer bound writable and in any other binding of the same dispatch, even at a disjoint range: the
// submit routes such bindings through scratch copies (VW.aliasPlan), so in-place ops and sub-ranges of one
// arena buffer work as on Vulkan.

var LibraryVkvlmWebGPU = {
  $VW: {
    objects: [null],   // handle -> object; 0 is "none"
    free: [],
    errors: [],        // uncaptured device errors, oldest first
    lastError: '',
    adapter: null,
    gpu: null,
    put: function(obj) {
      const h = VW.free.length ? VW.free.pop() : VW.objects.length;
      VW.objects[h] = obj;
      return h;
    },
    get: function(h) { return VW.objects[h]; },
    drop: function(h) {
      if (h > 0 && VW.objects[h] !== null) {
        VW.objects[h] = null;
        VW.free.push(h);
      }
    },
    setError: function(msg) { VW.lastError = String(msg); },
    writeString: function(str, out, cap) { if (cap > 0) stringToUTF8(String(str || ''), out, cap); },
    align: function(v, a) { return Math.ceil(v / a) * a; },

    // WebGPU allows a buffer in one dispatch either in any number of read-only bindings or in exactly one
    // writable binding (the whole buffer is one subresource: disjoint ranges conflict too). The engine
    // binds sub-ranges of one arena buffer (input rows and output rows of a layer) in one dispatch, which
    // Vulkan allows. Each binding after the first of a buffer that is also bound writable in the dispatch
    // therefore goes through a scratch range: copied in before the dispatch (so reads see what the
    // dispatch started from, as an in-place element-wise op expects), and copied back after it when the
    // binding is written. Two written ranges that overlap have no such rewrite: an error. (A written
    // binding identical to an earlier written one is a placeholder for an absent output: the C side
    // already bound a spare buffer instead.) Binding b's scratch is the device's scratch buffer b, so no
    // two scratch ranges of one dispatch share a buffer either. Returns null when nothing aliases, else
    // {bindings, pre, post} (bindings[b].scratch = b for the rewritten ones).
    aliasPlan: function(op, writes) {
      const n = op.bindings.length;
      const writers = new Map(); // buffer -> first written binding index
      for (let b = 0; b < n; b++) {
        if ((writes >>> b) & 1 && !writers.has(op.bindings[b].buffer)) writers.set(op.bindings[b].buffer, b);
      }
      let plan = null;
      for (let b = 0; b < n; b++) {
        const bind = op.bindings[b];
        const owner = writers.get(bind.buffer);
        if (owner === undefined || owner === b) continue;
        const written = ((writes >>> b) & 1) !== 0;
        if (written) {
          const o = op.bindings[owner];
          if (bind.offset < o.offset + o.size && o.offset < bind.offset + bind.size) {
            throw new Error(op.name + ': bindings ' + owner + ' and ' + b + ' write overlapping ranges of one buffer');
          }
        }
        if (!plan) plan = {bindings: op.bindings.slice(), pre: [], post: []};
        const r = {buffer: bind.buffer, offset: bind.offset, scratch: b, size: bind.size};
        plan.pre.push(r);
        if (written) plan.post.push(r);
        plan.bindings[b] = {scratch: b, offset: 0, size: bind.size};
      }
      return plan;
    },
  },

  // Finds a GPU and an adapter. Returns 1 with an adapter, 0 without (the reason: wgpu_js_last_error).
  wgpu_js_init__deps: ['$VW'],
  wgpu_js_init: function() {
    return Asyncify.handleAsync(async () => {
      const gpu = Module['webgpu'] || (typeof navigator !== 'undefined' && navigator.gpu) || null;
      if (!gpu) {
        VW.setError('no WebGPU: navigator.gpu is missing and Module.webgpu was not given');
        return 0;
      }
      try {
        const adapter = await gpu.requestAdapter(Module['webgpuAdapterOptions'] || {});
        if (!adapter) {
          VW.setError('requestAdapter found no adapter');
          return 0;
        }
        VW.gpu = gpu;
        VW.adapter = adapter;
        return 1;
      } catch (e) {
        VW.setError('requestAdapter failed: ' + e);
        return 0;
      }
    });
  },

  wgpu_js_shutdown__deps: ['$VW'],
  wgpu_js_shutdown: function() {
    VW.adapter = null;
    VW.gpu = null;
  },

  wgpu_js_last_error__deps: ['$VW'],
  wgpu_js_last_error: function(out, cap) { VW.writeString(VW.lastError, out, cap); },

  // An adapter limit by its WebGPU name (maxStorageBufferBindingSize, ...); 0 when unknown.
  wgpu_js_adapter_limit__deps: ['$VW'],
  wgpu_js_adapter_limit: function(name) {
    const v = VW.adapter && VW.adapter.limits[UTF8ToString(name)];
    return typeof v === 'number' ? v : 0;
  },

  wgpu_js_adapter_feature__deps: ['$VW'],
  wgpu_js_adapter_feature: function(name) {
    return VW.adapter && VW.adapter.features.has(UTF8ToString(name)) ? 1 : 0;
  },

  // A GPUAdapterInfo field (vendor, architecture, device, description) or "" when absent. Numeric
  // fields (subgroupMinSize, subgroupMaxSize) go through wgpu_js_adapter_info_number.
  wgpu_js_adapter_info__deps: ['$VW'],
  wgpu_js_adapter_info: function(key, out, cap) {
    const info = VW.adapter && VW.adapter.info;
    const v = info ? info[UTF8ToString(key)] : '';
    VW.writeString(typeof v === 'string' ? v : '', out, cap);
  },

  wgpu_js_adapter_info_number__deps: ['$VW'],
  wgpu_js_adapter_info_number: function(key) {
    const info = VW.adapter && VW.adapter.info;
    const v = info ? info[UTF8ToString(key)] : 0;
    return typeof v === 'number' ? v : 0;
  },

  wgpu_js_adapter_fallback__deps: ['$VW'],
  wgpu_js_adapter_fallback: function() {
    const a = VW.adapter;
    return a && ((a.info && a.info.isFallbackAdapter) || a.isFallbackAdapter) ? 1 : 0;
  },

  // Opens a device with the adapter's own limits for everything compute uses (the defaults are far
  // smaller: 128 MiB bindings, 256 invocations) and shader-f16 when present. Returns a handle or 0.
  wgpu_js_device_create__deps: ['$VW'],
  wgpu_js_device_create: function() {
    return Asyncify.handleAsync(async () => {
      const a = VW.adapter;
      if (!a) {
        VW.setError('no adapter');
        return 0;
      }
      const wanted = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage',
        'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
        'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension',
        'maxUniformBufferBindingSize', 'maxBindingsPerBindGroup',
        // alignments: the C side plans sub-range offsets with the adapter's value, which the device must
        // then allow (the default device limit is 256, Mesa's GLES adapter allows less)
        'minStorageBufferOffsetAlignment', 'minUniformBufferOffsetAlignment'];
      const requiredLimits = {};
      for (const k of wanted) if (typeof a.limits[k] === 'number') requiredLimits[k] = a.limits[k];
      const requiredFeatures = [];
      if (a.features.has('shader-f16')) requiredFeatures.push('shader-f16');
      try {
        const device = await a.requestDevice({requiredLimits, requiredFeatures, label: 'vkvlm'});
        const record = {device, pipelines: new Map(), lost: null};
        // Errors outside an error scope (should be none: every submit has one) are kept for the C side.
        device.onuncapturederror = (ev) => {
          VW.errors.push(String(ev.error && ev.error.message || ev.error || ev));
        };
        if (device.lost) device.lost.then((info) => { record.lost = info.message || 'device lost'; });
        return VW.put(record);
      } catch (e) {
        VW.setError('requestDevice failed: ' + e);
        return 0;
      }
    });
  },

  wgpu_js_device_destroy__deps: ['$VW'],
  wgpu_js_device_destroy: function(dev) {
    const d = VW.get(dev);
    if (!d) return;
    d.device.destroy();
    VW.drop(dev);
  },

  // Uncaptured device errors so far (validation messages in the Vulkan sense).
  wgpu_js_error_count__deps: ['$VW'],
  wgpu_js_error_count: function() { return VW.errors.length; },

  // Storage buffer usable by every kernel and as copy source/destination. size: a multiple of 4.
  wgpu_js_buffer_create__deps: ['$VW'],
  wgpu_js_buffer_create: function(dev, size, label) {
    const d = VW.get(dev);
    try {
      const buffer = d.device.createBuffer({
        size: Number(size),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        label: UTF8ToString(label),
      });
      return VW.put(buffer);
    } catch (e) {
      VW.setError('createBuffer failed: ' + e);
      return 0;
    }
  },

  wgpu_js_buffer_destroy__deps: ['$VW'],
  wgpu_js_buffer_destroy: function(buf) {
    const b = VW.get(buf);
    if (b) b.destroy();
    VW.drop(buf);
  },

  // offset and size: multiples of 4 (the C side widens unaligned writes).
  wgpu_js_buffer_write__deps: ['$VW'],
  wgpu_js_buffer_write: function(dev, buf, offset, data, size) {
    const d = VW.get(dev);
    d.device.queue.writeBuffer(VW.get(buf), Number(offset), HEAPU8, data, Number(size));
  },

  // Copies [offset, offset+size) into a MAP_READ staging buffer, waits, and copies into data. Returns 1,
  // or 0 with wgpu_js_last_error set.
  wgpu_js_buffer_read__deps: ['$VW'],
  wgpu_js_buffer_read: function(dev, buf, offset, data, size) {
    return Asyncify.handleAsync(async () => {
      const d = VW.get(dev);
      const bytes = Number(size);
      const staging = d.device.createBuffer({size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        label: 'vkvlm readback'});
      try {
        const enc = d.device.createCommandEncoder();
        enc.copyBufferToBuffer(VW.get(buf), Number(offset), staging, 0, bytes);
        d.device.queue.submit([enc.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        HEAPU8.set(new Uint8Array(staging.getMappedRange()), data);
        staging.unmap();
        return 1;
      } catch (e) {
        VW.setError('readback failed: ' + e + (d.lost ? ' (' + d.lost + ')' : ''));
        return 0;
      } finally {
        staging.destroy();
      }
    });
  },

  // A command: a list of recorded operations, encoded at submit (so all parameter blocks share one
  // uniform buffer written once).
  wgpu_js_cmd_create__deps: ['$VW'],
  wgpu_js_cmd_create: function(dev) { return VW.put({dev, ops: [], submitted: false}); },

  wgpu_js_cmd_destroy__deps: ['$VW'],
  wgpu_js_cmd_destroy: function(cmd) { VW.drop(cmd); },

  // Records one dispatch. source: the WGSL text; binds: [count] of {u32 buffer, u32 pad, u64 offset, u64
  // size} (24 bytes each); spec: [8] u32 (0 = the shader's default); groups: [3] u32. The pipeline is
  // created here (cached per kernel and spec values) so a compile error is reported at the dispatch.
  // Returns 1, or 0 with wgpu_js_last_error set.
  wgpu_js_cmd_dispatch__deps: ['$VW'],
  wgpu_js_cmd_dispatch: function(cmd, name, source, nbind, writes, binds, params, paramsSize, spec, groups) {
    const c = VW.get(cmd);
    const d = VW.get(c.dev);
    const kname = UTF8ToString(name);
    const specs = [];
    for (let i = 0; i < 8; i++) specs.push(HEAPU32[(spec >> 2) + i]);
    const key = kname + '/' + specs.join(',');
    let pipe = d.pipelines.get(key);
    if (!pipe) {
      const code = UTF8ToString(source);
      // Pipeline constants only for the @id(n) overrides the shader declares: WebGPU rejects unknown ones.
      const constants = {};
      for (const m of code.matchAll(/@id\((\d+)\)\s*override/g)) {
        const id = Number(m[1]);
        if (id < 8 && specs[id] !== 0) constants[String(id)] = specs[id];
      }
      const entries = [];
      for (let b = 0; b < nbind; b++) {
        const type = (writes >>> b) & 1 ? 'storage' : 'read-only-storage';
        entries.push({binding: b, visibility: GPUShaderStage.COMPUTE, buffer: {type}});
      }
      entries.push({binding: nbind, visibility: GPUShaderStage.COMPUTE, buffer: {type: 'uniform'}});
      d.device.pushErrorScope('validation');
      const module = d.device.createShaderModule({code, label: kname});
      const layout = d.device.createBindGroupLayout({entries, label: kname});
      const pipeline = d.device.createComputePipeline({
        label: kname,
        layout: d.device.createPipelineLayout({bindGroupLayouts: [layout], label: kname}),
        compute: {module, entryPoint: 'main', constants},
      });
      pipe = {pipeline, layout, writes, check: d.device.popErrorScope()};
      d.pipelines.set(key, pipe);
    }
    const bindings = [];
    for (let b = 0; b < nbind; b++) {
      const base = binds + 24 * b;
      bindings.push({
        buffer: VW.get(HEAPU32[base >> 2]),
        offset: HEAPU32[(base + 8) >> 2] + HEAPU32[(base + 12) >> 2] * 4294967296,
        size: HEAPU32[(base + 16) >> 2] + HEAPU32[(base + 20) >> 2] * 4294967296,
      });
    }
    c.ops.push({
      kind: 'dispatch', name: kname, pipe, bindings,
      params: HEAPU8.slice(params, params + paramsSize),
      groups: [HEAPU32[groups >> 2], HEAPU32[(groups >> 2) + 1], HEAPU32[(groups >> 2) + 2]],
    });
    return 1;
  },

  wgpu_js_cmd_copy__deps: ['$VW'],
  wgpu_js_cmd_copy: function(cmd, dst, dstOffset, src, srcOffset, size) {
    VW.get(cmd).ops.push({kind: 'copy', dst: VW.get(dst), dstOffset: Number(dstOffset), src: VW.get(src),
      srcOffset: Number(srcOffset), size: Number(size)});
  },

  // Encodes every op and submits once: consecutive dispatches share one compute pass (WebGPU orders and
  // makes visible the writes between dispatches itself, so there is no barrier to encode), copies end it.
  wgpu_js_cmd_submit__deps: ['$VW'],
  wgpu_js_cmd_submit: function(cmd) {
    const c = VW.get(cmd);
    const d = VW.get(c.dev);
    const dev = d.device;
    const dispatches = c.ops.filter((op) => op.kind === 'dispatch');
    // One uniform slot per dispatch: the largest parameter struct (at least 16 bytes), rounded up to the
    // device's uniform offset alignment.
    let psizeMax = 16;
    for (const op of dispatches) psizeMax = Math.max(psizeMax, VW.align(op.params.length, 16));
    const slot = VW.align(psizeMax, dev.limits.minUniformBufferOffsetAlignment || 256);
    let uniforms = null;
    if (dispatches.length) {
      uniforms = dev.createBuffer({size: dispatches.length * slot, usage: GPUBufferUsage.UNIFORM |
        GPUBufferUsage.COPY_DST, label: 'vkvlm params'});
      const staging = new Uint8Array(dispatches.length * slot);
      dispatches.forEach((op, i) => { staging.set(op.params, i * slot); });
      dev.queue.writeBuffer(uniforms, 0, staging);
    }
    // Aliased bindings (VW.aliasPlan) go through the device's scratch buffers, one per binding index:
    // dispatches run in order, so each reuses them; they grow as needed and a replaced one is destroyed
    // once this command completes.
    c.garbage = c.garbage || [];
    d.scratch = d.scratch || [];
    let planError = null;
    for (const op of dispatches) {
      try {
        op.plan = VW.aliasPlan(op, op.pipe.writes);
      } catch (e) {
        op.plan = null;
        planError = planError || String(e.message || e);
      }
      for (const r of op.plan ? op.plan.pre : []) {
        const have = d.scratch[r.scratch];
        if (have && have.size >= r.size) continue;
        if (have) c.garbage.push(have);
        d.scratch[r.scratch] = dev.createBuffer({size: VW.align(r.size, 1 << 16), label: 'vkvlm alias scratch',
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST});
      }
    }
    c.planError = planError;
    dev.pushErrorScope('validation');
    const enc = dev.createCommandEncoder({label: 'vkvlm cmd'});
    let pass = null;
    let u = 0;
    for (const op of c.ops) {
      if (op.kind === 'copy') {
        if (pass) { pass.end(); pass = null; }
        enc.copyBufferToBuffer(op.src, op.srcOffset, op.dst, op.dstOffset, op.size);
        continue;
      }
      const plan = op.plan;
      if (plan) {
        if (pass) { pass.end(); pass = null; }
        for (const r of plan.pre) enc.copyBufferToBuffer(r.buffer, r.offset, d.scratch[r.scratch], 0, r.size);
      }
      if (!pass) pass = enc.beginComputePass();
      const entries = (plan ? plan.bindings : op.bindings).map((b, i) => ({binding: i, resource: {
        buffer: b.scratch !== undefined ? d.scratch[b.scratch] : b.buffer, offset: b.offset, size: b.size}}));
      // Uniform bindings are at least 16 bytes (the WGSL struct may round up); the slot holds them.
      const psize = Math.max(16, VW.align(op.params.length, 16));
      entries.push({binding: op.bindings.length, resource: {buffer: uniforms, offset: u * slot, size: psize}});
      u++;
      pass.setPipeline(op.pipe.pipeline);
      pass.setBindGroup(0, dev.createBindGroup({layout: op.pipe.layout, entries, label: op.name}));
      pass.dispatchWorkgroups(op.groups[0], op.groups[1], op.groups[2]);
      if (plan && plan.post.length) {
        pass.end();
        pass = null;
        for (const r of plan.post) enc.copyBufferToBuffer(d.scratch[r.scratch], 0, r.buffer, r.offset, r.size);
      }
    }
    if (pass) pass.end();
    dev.queue.submit([enc.finish()]);
    c.scope = dev.popErrorScope();
    c.pipeChecks = dispatches.map((op) => op.pipe.check);
    c.uniforms = uniforms;
    c.submitted = true;
  },

  // Waits for the queue, then reports the first error of the pipelines' creation or of the submit.
  // Returns 1, or 0 with wgpu_js_last_error set.
  wgpu_js_cmd_wait__deps: ['$VW'],
  wgpu_js_cmd_wait: function(cmd) {
    return Asyncify.handleAsync(async () => {
      const c = VW.get(cmd);
      const d = VW.get(c.dev);
      if (!c.submitted) return 1;
      c.submitted = false;
      try {
        await d.device.queue.onSubmittedWorkDone();
        for (const check of c.pipeChecks) {
          const e = await check;
          if (e) {
            VW.setError('pipeline: ' + e.message);
            return 0;
          }
        }
        if (c.planError) {
          VW.setError('submit: ' + c.planError);
          return 0;
        }
        const e = await c.scope;
        if (e) {
          VW.setError('submit: ' + e.message);
          return 0;
        }
        if (d.lost) {
          VW.setError('device lost: ' + d.lost);
          return 0;
        }
        return 1;
      } catch (e) {
        VW.setError('wait failed: ' + e);
        return 0;
      } finally {
        if (c.uniforms) c.uniforms.destroy();
        c.uniforms = null;
        for (const b of c.garbage) b.destroy();
        c.garbage = [];
      }
    });
  },
};

autoAddDeps(LibraryVkvlmWebGPU, '$VW');
mergeInto(LibraryManager.library, LibraryVkvlmWebGPU);
