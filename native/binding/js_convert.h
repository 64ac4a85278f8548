#pragma once
// Small helpers for the N-API seam: argument checks with clear messages, and conversion of C++
// exceptions into JS errors that carry a machine-readable `code`.
#include <napi.h>

#include <string>
#include <vector>

#include "common/error.h"

namespace waymark::js {

inline Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err;
}

// Runs `body`, turning any C++ exception into a thrown JS error.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F&& body) {
  Napi::Env env = info.Env();
  try {
    return body(env);
  } catch (const Napi::Error&) {
    throw;
  } catch (const Error& e) {
    throw makeError(env, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    throw makeError(env, "OutOfMemory", "out of memory");
  } catch (const std::exception& e) {
    throw makeError(env, "Internal", e.what());
  }
}

inline void fail(const std::string& code, const std::string& message) { throw Error(code, message); }

inline Napi::Object objectArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsObject()) fail("InvalidArgument", std::string(what) + " must be an object");
  return info[i].As<Napi::Object>();
}

inline std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString()) fail("InvalidArgument", std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

inline bool has(const Napi::Object& o, const char* key) { return o.Has(key) && !o.Get(key).IsUndefined(); }

inline double number(const Napi::Object& o, const char* key, double fallback) {
  if (!has(o, key)) return fallback;
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) fail("InvalidArgument", std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

inline bool boolean(const Napi::Object& o, const char* key, bool fallback) {
  if (!has(o, key)) return fallback;
  Napi::Value v = o.Get(key);
  if (!v.IsBoolean()) fail("InvalidArgument", std::string(key) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

inline std::string string(const Napi::Object& o, const char* key, const std::string& fallback) {
  if (!has(o, key)) return fallback;
  Napi::Value v = o.Get(key);
  if (!v.IsString()) fail("InvalidArgument", std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

inline std::vector<std::string> strings(const Napi::Object& o, const char* key) {
  std::vector<std::string> out;
  if (!has(o, key)) return out;
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) fail("InvalidArgument", std::string(key) + " must be an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value item = a.Get(i);
    if (!item.IsString()) fail("InvalidArgument", std::string(key) + " must be an array of strings");
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

}  // namespace waymark::js
