# Helpers that give every module the same shape: one static library per folder under src/,
# unit tests beside the code, explicit sources and explicit dependencies.

set(BROKER_WARNINGS -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(BROKER_WERROR)
  list(APPEND BROKER_WARNINGS -Werror)
endif()

# broker_library(NAME core SOURCES a.cc b.cc DEPS other_module ...)
# Defines target broker_<NAME>, alias broker::<NAME>, include root src/ (so headers are included
# as "core/status.h").
function(broker_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_library(broker_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(broker::${ARG_NAME} ALIAS broker_${ARG_NAME})
  target_include_directories(broker_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(broker_${ARG_NAME} PRIVATE ${BROKER_WARNINGS})
  target_link_libraries(broker_${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

# broker_test(NAME core_test SOURCES status_test.cc DEPS broker::core [LABELS unit] [TIMEOUT 120])
# One CTest entry per test binary; the binary is a GoogleTest program.
function(broker_test)
  if(NOT BROKER_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_compile_options(${ARG_NAME} PRIVATE ${BROKER_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE
      BROKER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      BROKER_BINARY_DIR="${PROJECT_BINARY_DIR}"
      BROKER_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
