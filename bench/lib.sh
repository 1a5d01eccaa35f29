# Helpers shared by the benchmark scripts; sourced, not run.

# Waits up to 10 s for URL to answer 2xx; exits the script otherwise.
wait_for() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; exit 1; }

# Runs wrk with the given arguments and prints its requests per second.
rate() { wrk "$@" | awk '/^Requests\/sec:/ {print $2}'; }

# Prints "median min max" of the numbers given as arguments.
summarise() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.0f %.0f %.0f\n", m, v[1], v[NR]}'
}
