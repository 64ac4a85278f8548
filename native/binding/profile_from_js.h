#pragma once
#include <napi.h>

#include "osm/profile.h"

namespace waymark::js {

// Reads a profile table (src/profiles/*.ts) into the native Profile; throws InvalidArgument on
// anything malformed.
Profile profileFromJs(const Napi::Object& o);

}  // namespace waymark::js
