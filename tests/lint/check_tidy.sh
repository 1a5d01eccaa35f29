#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the repository root, warnings are errors) over every
# translation unit under src/, using the build's compile_commands.json.
set -euo pipefail
src_dir=$1
build_dir=$2
jobs=${BROKER_TIDY_JOBS:-2}
cd "$src_dir"
runner=$(command -v run-clang-tidy-14 || command -v run-clang-tidy || true)
files_regex="$src_dir/src/.*\.cc$"
if [ -n "$runner" ]; then
  "$runner" -quiet -p "$build_dir" -j "$jobs" "$files_regex" 2>&1 | grep -v '^Running\|^\[' | tee /tmp/broker-tidy.log
  ! grep -q 'error:' /tmp/broker-tidy.log
else
  find src -name '*.cc' | xargs -P "$jobs" -n 4 clang-tidy -quiet -p "$build_dir"
fi
