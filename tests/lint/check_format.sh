#!/usr/bin/env bash
# Fails if any C++ file of the project is not formatted as .clang-format says.
set -euo pipefail
cd "$1"
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.cc' 'src/*.h' 'tests/*.cc' \
  'tests/*.h' 'bench/*.cc' 'bench/*.h' 2>/dev/null || find src tests bench -name '*.cc' -o -name '*.h')
[ ${#files[@]} -gt 0 ] || { echo "no files"; exit 1; }
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (run: clang-format -i $f)"
    bad=1
  fi
done
echo "checked ${#files[@]} files"
exit $bad
