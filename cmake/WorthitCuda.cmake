# CUDA toolkit: CUDA candidates (.cu), CUPTI capture and NVTX headers. The
# toolkit may exist without a GPU: everything then compiles and links, and GPU
# tests skip at run time.
set(WORTHIT_HAVE_CUDA FALSE)
worthit_option_wanted(WORTHIT_WITH_CUDA _want)
find_package(CUDAToolkit QUIET)
if(_want)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER AND CUDAToolkit_FOUND)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 80 90)
    endif()
    enable_language(CUDA)
    # CMake 3.25 knows no C++20 flag for nvcc; device code needs only C++17.
    set(CMAKE_CUDA_STANDARD 17)
    set(WORTHIT_HAVE_CUDA TRUE)
    worthit_summary(cuda "found" "CUDA ${CUDAToolkit_VERSION}, architectures ${CMAKE_CUDA_ARCHITECTURES}")
  else()
    set(_reason "no CUDA compiler/toolkit found (nvcc not on PATH)")
    worthit_require_if_on(WORTHIT_WITH_CUDA FALSE "${_reason}")
    worthit_summary(cuda "skipped" "${_reason}")
  endif()
else()
  worthit_summary(cuda "skipped" "WORTHIT_WITH_CUDA=OFF")
endif()
# NVTX3 is header-only and ships with the toolkit; the injection library only
# needs its headers, so it builds whenever they are present.
set(WORTHIT_NVTX_INCLUDE_DIR "")
if(CUDAToolkit_FOUND AND EXISTS "${CUDAToolkit_INCLUDE_DIRS}/nvtx3/nvToolsExt.h")
  set(WORTHIT_NVTX_INCLUDE_DIR "${CUDAToolkit_INCLUDE_DIRS}")
endif()
