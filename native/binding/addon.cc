// The addon's entry point. The seam is deliberately narrow: a few functions over typed arrays and
// opaque handles (importer sessions, loaded maps); see src/native/index.ts for the typed surface.
#include <napi.h>

#include "binding/registry.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  waymark::js::registerImport(env, exports);
  waymark::js::registerMap(env, exports);
  waymark::js::registerRoute(env, exports);
  waymark::js::registerMatrix(env, exports);
  waymark::js::registerVrp(env, exports);
  waymark::js::registerPhast(env, exports);
  waymark::js::registerMatch(env, exports);
  waymark::js::registerCCH(env, exports);
  waymark::js::registerMetric(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(waymark, Init)
