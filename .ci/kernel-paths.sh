#!/usr/bin/env bash
# Runs the SIMD kernel tests once per dispatch path (issue 3): the default
# (AVX-512 where the CPU has it), AVX2+FMA, pure Go chosen at run time, and the
# purego build tag; vets the purego build and checks that go generate
# reproduces the avo-generated assembly byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=./internal/kernel/
# The packages whose hot loops call the kernels: their tests (gradient checks,
# LSTM references, Welch goldens, NEURON reference traces, the column with paired
# pyramidal cells) run again on every path.
users="./autograd/ ./nn/... ./spectral/ ./neuron/ ./network/biophys/"

run() {
	echo "-- $*"
	"$@"
}

# path ENV...: say which implementation the environment selects, then test.
path() {
	echo "-- ${*:-default}"
	env "$@" go test -count=1 -v -run 'TestImplementations$' "$pkg" | grep -E 'implementations available' || true
	env "$@" go test -count=1 "$pkg" $users
}

echo "-- default"
go test -count=1 -v -run 'TestImplementations$' "$pkg" | grep -E 'implementations available' || true
go test -count=1 "$pkg" # the users already ran under the default path in go test ./...
path GODEBUG=cpu.avx512f=off
path GODEBUG=cpu.avx2=off,cpu.fma=off,cpu.avx512f=off
run go vet -tags purego ./autograd/... ./internal/...
path GOFLAGS=-tags=purego
run env GOARCH=arm64 go vet "$pkg"
run env GOARCH=arm64 go test -c -o /dev/null "$pkg"

# The generator is its own module (avo stays out of go.mod); it needs the
# module proxy or a warm module cache. Skip, loudly, when neither is there.
gen=internal/kernel
if (cd "$gen/_gen" && go mod download >/dev/null 2>&1); then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$gen/_gen" && go run . -out "$tmp/kernel_amd64.s" -stubs "$tmp/kernel_amd64_stubs.go" -pkg kernel)
	# The header names the output paths given on the command line; compare the rest.
	for f in kernel_amd64.s kernel_amd64_stubs.go; do
		if ! diff <(tail -n +2 "$gen/$f") <(tail -n +2 "$tmp/$f") >/dev/null; then
			echo "$gen/$f is stale: run go generate in $gen"
			exit 1
		fi
	done
	echo "-- go generate output is up to date"
else
	echo "-- SKIP: avo not downloadable, generated assembly not re-checked"
fi
