# NVTX3 headers (NVTX injection) and CUPTI (GPU activity capture): neither
# needs a GPU or nvcc to build. Found in the CUDA toolkit when there is one,
# else in the venv's NVIDIA wheels (nvidia-nvtx, nvidia-cuda-cupti; pinned in
# scripts/requirements.txt), so scripts/setup provides both on any machine.
#   WORTHIT_NVTX_INCLUDE_DIR  folder holding nvtx3/nvToolsExt.h, or empty
#   worthit::cupti            imported target (cupti.h + libcupti), when found

# Where the venv's `nvidia` namespace package lives (empty without one).
set(_nvidia_roots "")
if(WORTHIT_TARGET_PYTHON)
  execute_process(
    COMMAND ${WORTHIT_TARGET_PYTHON} -c
      "import importlib.util as u; s = u.find_spec('nvidia'); print(';'.join(s.submodule_search_locations) if s else '')"
    OUTPUT_VARIABLE _nvidia_roots OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()

# NVTX
set(WORTHIT_NVTX_INCLUDE_DIR "")
worthit_option_wanted(WORTHIT_WITH_NVTX _want)
if(_want)
  set(_candidates "")
  if(CUDAToolkit_FOUND)
    list(APPEND _candidates ${CUDAToolkit_INCLUDE_DIRS})
  endif()
  foreach(_root IN LISTS _nvidia_roots)
    file(GLOB _dirs LIST_DIRECTORIES true "${_root}/*/include")
    list(APPEND _candidates ${_dirs})
  endforeach()
  foreach(_dir IN LISTS _candidates)
    if(NOT WORTHIT_NVTX_INCLUDE_DIR AND EXISTS "${_dir}/nvtx3/nvToolsExt.h")
      set(WORTHIT_NVTX_INCLUDE_DIR "${_dir}")
    endif()
  endforeach()
  if(WORTHIT_NVTX_INCLUDE_DIR)
    worthit_summary(nvtx "found" "NVTX injection from ${WORTHIT_NVTX_INCLUDE_DIR}/nvtx3")
  else()
    set(_reason "nvtx3/nvToolsExt.h not found in the CUDA toolkit or the venv (pip: nvidia-nvtx): NVTX capture not built")
    worthit_require_if_on(WORTHIT_WITH_NVTX FALSE "${_reason}")
    worthit_summary(nvtx "skipped" "${_reason}")
  endif()
else()
  worthit_summary(nvtx "skipped" "WORTHIT_WITH_NVTX=OFF")
endif()

# CUPTI
worthit_option_wanted(WORTHIT_WITH_CUPTI _want)
if(_want)
  set(_cupti_include "")
  set(_cupti_lib "")
  if(TARGET CUDA::cupti)
    add_library(worthit::cupti ALIAS CUDA::cupti)
    set(WORTHIT_CUPTI_LIB_DIR "${CUDAToolkit_LIBRARY_DIR}")
    worthit_summary(cupti "found" "CUPTI capture from ${CUDAToolkit_LIBRARY_DIR}")
  else()
    foreach(_root IN LISTS _nvidia_roots)
      file(GLOB _headers "${_root}/*/include/cupti.h")
      foreach(_h IN LISTS _headers)
        get_filename_component(_inc "${_h}" DIRECTORY)
        get_filename_component(_pkg "${_inc}" DIRECTORY)
        file(GLOB _libs "${_pkg}/lib/libcupti.so*")
        if(_libs AND NOT _cupti_lib)
          list(GET _libs 0 _cupti_lib)
          set(_cupti_include "${_inc}")
        endif()
      endforeach()
    endforeach()
    if(_cupti_lib)
      add_library(worthit_cupti_wheel UNKNOWN IMPORTED)
      set_target_properties(worthit_cupti_wheel PROPERTIES
        IMPORTED_LOCATION "${_cupti_lib}" INTERFACE_INCLUDE_DIRECTORIES "${_cupti_include}")
      add_library(worthit::cupti ALIAS worthit_cupti_wheel)
      get_filename_component(WORTHIT_CUPTI_LIB_DIR "${_cupti_lib}" DIRECTORY)
      worthit_summary(cupti "found" "CUPTI capture from ${WORTHIT_CUPTI_LIB_DIR}")
    else()
      set(_reason "CUPTI (cupti.h, libcupti) not found in the CUDA toolkit or the venv (pip: nvidia-cuda-cupti): GPU capture not built")
      worthit_require_if_on(WORTHIT_WITH_CUPTI FALSE "${_reason}")
      worthit_summary(cupti "skipped" "${_reason}")
    endif()
  endif()
else()
  worthit_summary(cupti "skipped" "WORTHIT_WITH_CUPTI=OFF")
endif()
