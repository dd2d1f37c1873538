// vkvlm_web_library.js — the JS imports of web/vkvlm_web.c and vkvlm_web_bench.c (an Emscripten
// --js-library): streaming tokens, loading and benchmark progress and log messages go to callbacks that
// web/vkvlm.mjs sets on the module object. Token and both progress calls are ASYNCIFY imports: after the
// callback they yield to the event loop once (a zero-delay timer), so a page repaints between tokens even on
// the CPU backend, which never waits on a promise otherwise.
//
// Written `name: function()` like wgpu_library.js: 3.1.6's library stringifier mangles method shorthand.

var LibraryVkvlmWeb = {
  // Returns 1 to go on generating, 0 to stop (the callback returned false).
  vkvlm_web_js_token: function(id, text) {
    return Asyncify.handleSleep(function(wakeUp) {
      let go = 1;
      try {
        const cb = Module['vkvlmOnToken'];
        if (cb && cb(id, UTF8ToString(text)) === false) go = 0;
      } catch (e) {
        err('vkvlm onToken threw: ' + e);
      }
      setTimeout(function() { wakeUp(go); }, 0);
    });
  },

  vkvlm_web_js_progress: function(stage, fraction) {
    return Asyncify.handleSleep(function(wakeUp) {
      try {
        const cb = Module['vkvlmOnProgress'];
        if (cb) cb(UTF8ToString(stage), fraction);
      } catch (e) {
        err('vkvlm onProgress threw: ' + e);
      }
      setTimeout(function() { wakeUp(0); }, 0);
    });
  },

  // One call before each benchmark run (run -1: the setting's warm-up); yields like the two above, so the
  // page shows the progress and stays responsive between runs.
  vkvlm_web_js_bench_progress: function(setting, index, settings, run, repeat) {
    return Asyncify.handleSleep(function(wakeUp) {
      try {
        const cb = Module['vkvlmOnBenchProgress'];
        if (cb) cb(UTF8ToString(setting), index, settings, run, repeat);
      } catch (e) {
        err('vkvlm benchmark onProgress threw: ' + e);
      }
      setTimeout(function() { wakeUp(0); }, 0);
    });
  },

  vkvlm_web_js_log: function(level, message) {
    const cb = Module['vkvlmOnLog'];
    const text = UTF8ToString(message);
    if (cb) cb(level, text);
    else if (level <= 1) err('vkvlm: ' + text);
  },
};

mergeInto(LibraryManager.library, LibraryVkvlmWeb);
