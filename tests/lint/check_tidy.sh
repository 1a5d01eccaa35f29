#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the repository root; every warning is an error) over C++
# translation units of src/ and tests/, using the build's compile_commands.json.
#
# Usage: check_tidy.sh SOURCE_DIR BUILD_DIR all
#        check_tidy.sh SOURCE_DIR BUILD_DIR changed [BASE]
#
#   all      every translation unit (about 30 minutes on two cores: ctest label `tidy`).
#   changed  only what differs from BASE (default HEAD~1, the landing commit; a branch can pass
#            BROKER_TIDY_BASE=origin/main), uncommitted and untracked
#            files included: each changed .cc, and for each changed header its own .cc or, when
#            it has none, one translation unit that includes it. Passes with a message when
#            nothing changed or git cannot answer.
#
# Environment: BROKER_TIDY_JOBS (parallel clang-tidy processes; default 1, 2 for `all`),
#              BROKER_TIDY_BASE (overrides BASE), CLANG_TIDY (the binary to run).
# Exit status: 0 clean or skipped, 1 findings (printed), 2 usage or set-up error.
set -uo pipefail

src_dir=$(cd "${1:?SOURCE_DIR}" && pwd)
build_dir=$(cd "${2:?BUILD_DIR}" && pwd)
mode=${3:-all}
# The gate runs beside other tests, so one process; the full pass runs on its own.
default_jobs=1
[ "$mode" = all ] && default_jobs=2
jobs=${BROKER_TIDY_JOBS:-$default_jobs}
db="$build_dir/compile_commands.json"
scope_regex='^(src|tests)/.*\.cc$'

tidy=${CLANG_TIDY:-$(command -v clang-tidy-14 || command -v clang-tidy || true)}
[ -n "$tidy" ] || { echo "clang-tidy is not installed (scripts/install-deps.sh installs it)"; exit 2; }
[ -f "$db" ] || { echo "no $db: configure with CMAKE_EXPORT_COMPILE_COMMANDS=ON"; exit 2; }
cd "$src_dir" || exit 2

# Writes $1/compile_commands.json with one entry per file (clang-tidy would check a file once
# per entry, and test helpers are compiled into several targets) and prints the translation
# units inside the source dir, relative to it, one per line.
database_units() {
  python3 - "$db" "$src_dir" "$1" <<'EOF'
import json, os, sys
db, root, out_dir = sys.argv[1:4]
unique = {}
for entry in json.load(open(db)):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    unique.setdefault(path, entry)
json.dump(list(unique.values()), open(os.path.join(out_dir, "compile_commands.json"), "w"))
for path in unique:
    if path.startswith(root + "/"):
        print(os.path.relpath(path, root))
EOF
}

# The commit to compare with: BROKER_TIDY_BASE or $1, else HEAD~1 (the landing commit; CI
# checkouts do not reliably carry origin/main, so guessing a merge base would make the gate's
# scope depend on how the clone was made). Prints nothing when git cannot tell.
base_commit() {
  local base=${BROKER_TIDY_BASE:-${1:-HEAD~1}}
  git rev-parse -q --verify "$base^{commit}" 2>/dev/null || true
}

# Changed C++ files (added, copied, modified, renamed, untracked) relative to $1.
changed_files() {
  {
    git diff --name-only --relative --diff-filter=ACMR "$1" -- '*.cc' '*.h'
    git ls-files --others --exclude-standard -- '*.cc' '*.h'
  } | sort -u
}

# For each changed header: its own .cc if that is a unit, else the first unit including it.
units_for_header() {
  local header=$1 units=$2 own="${1%.h}.cc" include
  if grep -qxF "$own" <<<"$units"; then echo "$own"; return; fi
  include=${header#src/}
  include=${include#tests/}
  grep -E "$scope_regex" <<<"$units" | while read -r unit; do
    if grep -qF "#include \"$include\"" "$unit" 2>/dev/null; then echo "$unit"; break; fi
  done
}

select_changed_units() {
  local units=$1 base file
  if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "tidy (changed): skipped, $src_dir is not a git work tree or git is unavailable" >&2
    return
  fi
  base=$(base_commit "$2")
  if [ -z "$base" ]; then
    echo "tidy (changed): skipped, no base commit to compare with" >&2
    return
  fi
  echo "tidy (changed): comparing with $(git log -1 --format='%h %s' "$base")" >&2
  if git diff --quiet "$base" -- .clang-tidy 2>/dev/null; then :; else
    echo "tidy (changed): .clang-tidy changed; also run the full pass (ctest -L tidy)" >&2
  fi
  changed_files "$base" | while read -r file; do
    [ -f "$file" ] || continue
    case "$file" in
      *.cc) grep -qxF "$file" <<<"$units" && echo "$file" ;;
      *.h) units_for_header "$file" "$units" ;;
    esac
  done | grep -E "$scope_regex" | sort -u
}

tidy_db=$(mktemp -d)
trap 'rm -rf "$tidy_db"' EXIT
units=$(database_units "$tidy_db")
case "$mode" in
  all) selected=$(grep -E "$scope_regex" <<<"$units" | sort -u) ;;
  changed) selected=$(select_changed_units "$units" "${4:-}") ;;
  *) echo "unknown mode '$mode' (all or changed)"; exit 2 ;;
esac
if [ -z "$selected" ]; then
  echo "tidy ($mode): no C++ translation unit to check, passing"
  exit 0
fi

count=$(wc -l <<<"$selected")
echo "tidy ($mode): $count translation unit(s) with $jobs job(s):"
sed 's/^/  /' <<<"$selected"
log="$tidy_db/tidy.log"
# clang-tidy exits non-zero when a check fires (WarningsAsErrors) or the unit does not compile.
if xargs -P "$jobs" -n 1 "$tidy" -quiet -p "$tidy_db" <<<"$selected" >"$log" 2>&1; then
  echo "tidy ($mode): clean"
  exit 0
fi
grep -v 'warnings\? generated\.$' "$log"
echo "tidy ($mode): findings above; fix the code (see docs/STYLE.md, .clang-tidy)"
exit 1
