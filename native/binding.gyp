{
  # LIBTORCH=/path/to/libtorch builds against another libtorch (for example a CUDA build);
  # without it, Debian's libtorch-dev (headers in /usr/include, libraries on the default path).
  "variables": {
    "libtorch%": "<!(node -p \"process.env.LIBTORCH || ''\")",
    # HTAF_NCCL=1 (with a CUDA LIBTORCH) adds c10d's NCCL process group; Debian's libtorch has none.
    "nccl%": "<!(node -p \"process.env.HTAF_NCCL || ''\")"
  },
  "targets": [
    {
      "target_name": "htaf_native",
      "sources": [
        "src/addon.cc",
        "src/tensor_box.cc",
        "src/op_call.cc",
        "src/helpers.cc",
        "src/fused_activations.cc",
        "src/fused_neurons.cc",
        "src/optim_steps.cc",
        "src/cpu_allocator.cc",
        "src/runtime_kernels_napi.cc",
        "src/distributed.cc",
        "src/runtime_kernels_base.c",
        "src/runtime_kernels_avx2.c",
        "src/runtime_kernels_avx512.c",
        "gen/ops_generated_0.cc",
        "gen/ops_generated_1.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "src",
        "."
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_c": ["-std=gnu11", "-O3", "-ffreestanding"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++1y"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-frtti", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "conditions": [
        ["nccl=='1'", {
          "defines": ["HTAF_WITH_NCCL", "USE_C10D_NCCL"],
          "libraries": ["-ltorch_cuda"]
        }],
        ["libtorch==''", {
          "include_dirs": ["/usr/include/torch/csrc/api/include"],
          "libraries": ["-ltorch", "-ltorch_cpu", "-lc10"]
        }, {
          "include_dirs": ["<(libtorch)/include", "<(libtorch)/include/torch/csrc/api/include"],
          "libraries": ["-L<(libtorch)/lib", "-Wl,-rpath,<(libtorch)/lib", "-Wl,--no-as-needed", "-ltorch", "-ltorch_cpu", "-lc10", "-Wl,--as-needed"]
        }]
      ]
    }
  ]
}
