#pragma once
#include <napi.h>

namespace waymark::js {

// Each binding file adds its functions to the addon's exports.
void registerImport(Napi::Env env, Napi::Object exports);
void registerMap(Napi::Env env, Napi::Object exports);
void registerRoute(Napi::Env env, Napi::Object exports);
void registerMatrix(Napi::Env env, Napi::Object exports);
void registerVrp(Napi::Env env, Napi::Object exports);
void registerPhast(Napi::Env env, Napi::Object exports);
void registerMatch(Napi::Env env, Napi::Object exports);
void registerCCH(Napi::Env env, Napi::Object exports);
void registerMetric(Napi::Env env, Napi::Object exports);

}  // namespace waymark::js
