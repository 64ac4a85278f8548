{
  "targets": [
    {
      "target_name": "waymark",
      "sources": ["<!@(node scripts/native-sources.cjs)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2", "-O1", "-O0"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++1y", "-O2", "-O1", "-O0"],
      "cflags": ["-O3", "-Wall", "-Wextra", "-fno-omit-frame-pointer"],
      "cflags_cc": ["-std=c++20", "-O3", "-Wall", "-Wextra", "-fexceptions", "-pthread", "-fno-omit-frame-pointer"],
      "ldflags": ["-pthread"],
      "configurations": {
        "Release": {
          "cflags!": ["-O2", "-O1", "-O0"],
          "cflags_cc!": ["-O2", "-O1", "-O0"],
          "cflags": ["-O3"],
          "cflags_cc": ["-O3"]
        }
      }
    }
  ]
}
