#pragma once
#include <napi.h>

#include <memory>

#include "pipeline/loaded_map.h"

namespace waymark::js {

using MapPtr = std::shared_ptr<const LoadedMap>;

// The loaded map behind a handle argument; throws InvalidArgument for anything else.
MapPtr mapArg(const Napi::CallbackInfo& info, size_t i);

}  // namespace waymark::js
