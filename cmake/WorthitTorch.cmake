# libtorch from the official torch wheel in the worthit venv.
#
# We locate the wheel through torch.utils.cmake_prefix_path and build an
# imported target from its files instead of calling find_package(Torch): the
# PyPI wheel is a CUDA build, and its TorchConfig.cmake insists on configuring
# CUDA even for CPU-only use, which fails on machines without a matching
# toolkit. The CPU libraries are all the CPU candidates need; the CUDA ones are
# added when present (docs/build.md).
set(WORTHIT_HAVE_TORCH FALSE)
worthit_option_wanted(WORTHIT_WITH_TORCH _want)
if(_want)
  set(_reason "")
  if(NOT WORTHIT_TARGET_PYTHON)
    set(_reason "no Python interpreter to locate the torch wheel (set WORTHIT_PYTHON, run scripts/setup)")
  else()
    execute_process(
      COMMAND ${WORTHIT_TARGET_PYTHON} -c "import torch, os; print(os.path.dirname(torch.__file__)); print(torch.__version__); print(int(torch._C._GLIBCXX_USE_CXX11_ABI)); print(torch.utils.cmake_prefix_path)"
      OUTPUT_VARIABLE _out OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _rc ERROR_QUIET)
    if(NOT _rc EQUAL 0)
      list(GET WORTHIT_TARGET_PYTHON -1 _py)
      set(_reason "torch is not importable by ${_py} (pip install torch; scripts/setup pins it)")
    else()
      string(REPLACE "\n" ";" _out "${_out}")
      list(GET _out 0 WORTHIT_TORCH_DIR)
      list(GET _out 1 WORTHIT_TORCH_VERSION)
      list(GET _out 2 _abi)
      set(WORTHIT_TORCH_CXX11_ABI ${_abi})
      find_library(WORTHIT_TORCH_LIB torch PATHS "${WORTHIT_TORCH_DIR}/lib" NO_DEFAULT_PATH)
      find_library(WORTHIT_TORCH_CPU_LIB torch_cpu PATHS "${WORTHIT_TORCH_DIR}/lib" NO_DEFAULT_PATH)
      find_library(WORTHIT_C10_LIB c10 PATHS "${WORTHIT_TORCH_DIR}/lib" NO_DEFAULT_PATH)
      if(NOT WORTHIT_TORCH_LIB OR NOT WORTHIT_TORCH_CPU_LIB OR NOT WORTHIT_C10_LIB
         OR NOT EXISTS "${WORTHIT_TORCH_DIR}/include/ATen/ATen.h")
        set(_reason "the torch wheel at ${WORTHIT_TORCH_DIR} lacks libtorch headers or libraries")
      else()
        add_library(worthit_libtorch INTERFACE)
        add_library(worthit::libtorch ALIAS worthit_libtorch)
        target_include_directories(worthit_libtorch SYSTEM INTERFACE
          "${WORTHIT_TORCH_DIR}/include" "${WORTHIT_TORCH_DIR}/include/torch/csrc/api/include")
        # NDEBUG in every build type: the wheel is built with it, and the
        # layout of classes its headers define inline (at::RecordFunction has
        # a debug-only member) depends on it; a Debug build without it reads
        # torch's objects at the wrong offsets.
        target_compile_definitions(worthit_libtorch INTERFACE _GLIBCXX_USE_CXX11_ABI=${_abi}
          WORTHIT_TORCH_VERSION="${WORTHIT_TORCH_VERSION}" NDEBUG)
        # Only the CPU libraries: the wheel's libtorch.so is a shim that pulls
        # in libtorch_cuda.so and with it cuBLAS, cuDNN and the CUDA runtime,
        # seconds of start-up for every run that never touches a GPU. The CUDA
        # candidates load their own plugin once a device is found.
        # --no-as-needed keeps torch_cpu linked: its operators register
        # themselves from static initialisers we never call directly.
        target_link_libraries(worthit_libtorch INTERFACE
          "-Wl,--no-as-needed" ${WORTHIT_TORCH_CPU_LIB} ${WORTHIT_C10_LIB} "-Wl,--as-needed")
        # The wheel's libraries find their own dependencies through $ORIGIN;
        # our binaries find the wheel through their RPATH.
        set(WORTHIT_TORCH_LIB_DIR "${WORTHIT_TORCH_DIR}/lib")
        set(WORTHIT_HAVE_TORCH TRUE)
        find_library(WORTHIT_TORCH_CUDA_LIB torch_cuda PATHS "${WORTHIT_TORCH_DIR}/lib" NO_DEFAULT_PATH)
        find_library(WORTHIT_C10_CUDA_LIB c10_cuda PATHS "${WORTHIT_TORCH_DIR}/lib" NO_DEFAULT_PATH)
      endif()
    endif()
  endif()
  worthit_require_if_on(WORTHIT_WITH_TORCH WORTHIT_HAVE_TORCH "${_reason}")
  if(WORTHIT_HAVE_TORCH)
    worthit_summary(torch "found" "libtorch ${WORTHIT_TORCH_VERSION} from ${WORTHIT_TORCH_DIR}")
  else()
    worthit_summary(torch "skipped" "${_reason}")
  endif()
else()
  worthit_summary(torch "skipped" "WORTHIT_WITH_TORCH=OFF")
endif()
