#!/usr/bin/env bash
# Checks check_tidy.sh's `changed` mode on a throwaway git repository with three tiny
# translation units and the project's .clang-tidy: it must fail on a finding in a changed .cc or
# in a changed header, pass once that is fixed, ignore findings in files that did not change,
# and pass with a message when nothing changed, when there is no base commit and outside git.
# Usage: check_tidy_selftest.sh TESTS_LINT_DIR
set -euo pipefail
lint_dir=$(cd "$1" && pwd)
gate="$lint_dir/check_tidy.sh"
command -v git >/dev/null || { echo "git unavailable: nothing to check"; exit 0; }
unset BROKER_TIDY_BASE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo/src" "$work/build"
cp "$lint_dir/../../.clang-tidy" "$repo/"
failures=0

git_in_repo() { git -C "$repo" -c user.name=t -c user.email=t@example.invalid "$@" >/dev/null; }
write() { printf '%s\n' "${@:2}" >"$repo/$1"; }

# expect NAME STATUS [TEXT]: runs the gate; its exit status must be STATUS and its output TEXT.
expect() {
  local name=$1 want=$2 text=${3:-} got=0 out
  out=$("$gate" "$repo" "$work/build" changed 2>&1) || got=$?
  if [ "$got" != "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL $name: exit $got (want $want), output should contain '$text':"
    sed 's/^/    /' <<<"$out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

# database FILE...: the compilation database lists exactly these units.
database() {
  local file sep=""
  {
    echo "["
    for file in "$@"; do
      echo "$sep{\"directory\": \"$repo\", \"file\": \"$file\", \"command\": \"c++ -std=c++20 -c $file\"}"
      sep=","
    done
    echo "]"
  } >"$work/build/compile_commands.json"
}

database src/clean.cc src/user.cc src/legacy.cc
write src/clean.cc 'int Clean() { return 1; }'
write src/helper.h '#pragma once' 'inline int Helper() { return 2; }'
write src/user.cc '#include "helper.h"' 'int User() { return Helper(); }'
# A finding that is already on the base commit: the gate must not report it.
write src/legacy.cc 'int* Legacy() { return 0; }'

cp -r "$repo" "$work/not-git"
out=$("$gate" "$work/not-git" "$work/build" changed 2>&1) && grep -qF "skipped" <<<"$out" &&
  echo "ok   outside git: skipped" || { echo "FAIL outside git: $out"; failures=$((failures + 1)); }

git_in_repo init -q
git_in_repo add -A
git_in_repo commit -q -m base
expect "single commit: no base" 0 "no base commit"

write README 'docs only'
git_in_repo add -A
git_in_repo commit -q -m docs
expect "landing commit without C++" 0 "no C++ translation unit"

write src/clean.cc 'int* Clean() { return 0; }'
expect "finding in a changed .cc" 1 "src/clean.cc:1"
write src/clean.cc 'int* Clean() { return nullptr; }'
expect "changed .cc fixed" 0 "clean"

write src/helper.h '#pragma once' 'inline int* Helper() { return 0; }'
write src/user.cc '#include "helper.h"' 'int* User() { return Helper(); }'
expect "finding in a changed header, via its includer" 1 "src/helper.h:2"
write src/helper.h '#pragma once' 'inline int* Helper() { return nullptr; }'
expect "changed header fixed" 0 "src/user.cc"

git_in_repo add -A
git_in_repo commit -q -m fixes
expect "committed: HEAD~1 is the base" 0 "comparing with"
write src/fresh.cc 'int* Fresh() { return 0; }'
database src/clean.cc src/user.cc src/legacy.cc src/fresh.cc
expect "finding in an untracked new .cc" 1 "src/fresh.cc:1"

[ "$failures" = 0 ] || exit 1
echo "all gate cases pass"
