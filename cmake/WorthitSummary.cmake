# Collects one line per optional part and prints them at the end of configure,
# so nothing is skipped silently.
set_property(GLOBAL PROPERTY WORTHIT_SUMMARY_LINES "")

function(worthit_summary part status detail)
  string(REPLACE ";" " " detail "${detail}")
  set_property(GLOBAL APPEND PROPERTY WORTHIT_SUMMARY_LINES "${part}|${status}|${detail}")
endfunction()

# Resolves an AUTO|ON|OFF option: sets WANT to TRUE when the part should be
# looked for and fails configure later if ON and not found (see worthit_require).
function(worthit_option_wanted option out)
  string(TOUPPER "${${option}}" value)
  if(value STREQUAL "OFF" OR value STREQUAL "FALSE" OR value STREQUAL "0")
    set(${out} FALSE PARENT_SCOPE)
  else()
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

# Fails configure when a part that must be built is unavailable: its option is
# ON, or it is AUTO and WORTHIT_REQUIRE_ALL is set (CI: nothing may be skipped).
# The message names what is missing and how scripts/setup installs it.
function(worthit_require_if_on option found reason)
  string(TOUPPER "${${option}}" value)
  set(required FALSE)
  if(value STREQUAL "ON" OR value STREQUAL "TRUE" OR value STREQUAL "1")
    set(required TRUE)
    set(why "${option}=ON")
  elseif(WORTHIT_REQUIRE_ALL AND NOT (value STREQUAL "OFF" OR value STREQUAL "FALSE" OR value STREQUAL "0"))
    set(required TRUE)
    set(why "WORTHIT_REQUIRE_ALL=ON")
  endif()
  if(required AND NOT ${found})
    message(FATAL_ERROR "${why}, but it is unavailable: ${reason}\n"
      "scripts/setup installs every part (Debian packages: scripts/debian-packages.txt, "
      "Python packages: scripts/requirements.txt); docs/build.md lists them.")
  endif()
endfunction()

function(worthit_print_summary)
  get_property(lines GLOBAL PROPERTY WORTHIT_SUMMARY_LINES)
  message(STATUS "")
  message(STATUS "worthit ${PROJECT_VERSION} (${WORTHIT_GIT_COMMIT}) configuration:")
  foreach(line IN LISTS lines)
    string(REPLACE "|" ";" fields "${line}")
    list(GET fields 0 part)
    list(GET fields 1 status)
    list(GET fields 2 detail)
    string(LENGTH "${part}" len)
    math(EXPR pad "10 - ${len}")
    string(REPEAT " " ${pad} spaces)
    message(STATUS "  ${part}${spaces} ${status}: ${detail}")
  endforeach()
  message(STATUS "")
endfunction()
