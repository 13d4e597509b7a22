#!/usr/bin/env bash
# Times the main job (cmd/optimize with the default flags, -figures=false) at several commits,
# interleaved round by round, and checks that every build writes the same results.
# Usage (from the repository root): bench/optimize-ab.sh [-r ROUNDS] REV...
#   e.g. bench/optimize-ab.sh -r 3 91fb8a2 HEAD
# Each REV is built in a temporary worktree; each round runs every build once, under
# /usr/bin/time (wall, user and system CPU, peak RSS). At the end the outputs' md5 sums are
# compared (gains.csv, heldout.csv, dipole.csv of the last round).
set -euo pipefail
rounds=3
if [ "${1:-}" = "-r" ]; then rounds=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: bench/optimize-ab.sh [-r ROUNDS] REV..." >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'for w in "$tmp"/wt-*; do [ -d "$w" ] && git -C "$root" worktree remove --force "$w"; done; rm -rf "$tmp"' EXIT
echo "# $(date -u '+%F %T UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | xargs), $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo 'no AVX-512')), $(nproc) CPUs, $(go version | cut -d' ' -f3), $rounds rounds"
revs=()
for rev in "$@"; do
	id=$(git -C "$root" rev-parse --short "$rev")
	git -C "$root" worktree add -q --detach "$tmp/wt-$id" "$id"
	(cd "$tmp/wt-$id" && go build -o "$tmp/optimize-$id" ./cmd/optimize)
	revs+=("$id")
done
for r in $(seq "$rounds"); do
	for id in "${revs[@]}"; do
		rm -rf "$tmp/out-$id"
		/usr/bin/time -f "$id round $r (load $(cut -d' ' -f1 /proc/loadavg)): wall %e s user %U s sys %S s maxrss %M KB" \
			"$tmp/optimize-$id" -figures=false -out "$tmp/out-$id" >"$tmp/log-$id.out" 2>"$tmp/log-$id.err"
		tail -1 "$tmp/log-$id.err"
	done
done
for id in "${revs[@]}"; do
	echo "$id outputs: $(cd "$tmp/out-$id" && cat gains.csv heldout.csv dipole.csv | md5sum | cut -d' ' -f1)"
done
