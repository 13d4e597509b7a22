#!/usr/bin/env bash
# Times neurograd and its peers on this machine, interleaved round by round, and prints
# both sides and the ratio. Usage (from the repository root):
#
#   bench/run.sh [-r ROUNDS] [PART...]
#
# PARTs: cell erp poisson200 poisson gemm welch lstm (default: cell erp gemm welch lstm).
#   cell       one L5 pyramidal cell, 1 s, 8 Poisson trains (same events both sides)  vs NEURON
#   erp        270-cell column, ERP drives, 170 ms, one worker                        vs NEURON
#   poisson200 270-cell column, 10 Hz Poisson 0.0025 µS seed 1, 200 ms, one worker    vs NEURON
#   poisson    the same for 1000 ms (NEURON takes ~2 min per round on an idle core)
#   column     surrogate column (132 cells, shipped cells, 600 ms, 4 noise replicas batched):
#              forward and forward + BPTT per simulated cell-second  vs NEURON's 270-cell Poisson
#              column per cell-second (COLUMN_PEER=poisson, 1 s, the default; or poisson200, whose
#              fixed set-up cost weighs 5x more per cell-second)
#   gemm       f32 GEMM 16³ 64³ 256³ 1000x320x64 132x128x256, 1 and 2 threads        vs OpenBLAS
#   welch      Welch PSD of 132 signals x 2000 (one batched call)                      vs scipy
#   lstm       CNN-LSTM step-mode BPTT, 132 x 1000, one thread                         vs PyTorch
# Each round runs our side then the peer's; the summary gives the minimum over rounds of
# CPU time (process CPU, all threads) and of wall time. "ratio" = peer / ours (> 1: we are
# faster). CPU time is the figure to quote on a shared machine; wall time matters for the
# 2-thread GEMM rows and is only meaningful on a quiet machine (the load is printed).
#
# Needs: Go; gcc and Debian's libopenblas-dev (gemm); python3-scipy (welch);
# python3-torch (lstm); hnn-core set up on NEURON by ../shared/tools/hnn-core-neuron.sh
# with HNN_CORE=its tree (cell, erp, poisson*), stubs in $HNN_CORE/../pystubs.
set -euo pipefail
rounds=3
if [ "${1:-}" = "-r" ]; then rounds=$2; shift 2; fi
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(cell erp gemm welch lstm)
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
hnnpath="${HNN_CORE:-}:${HNN_CORE:+$HNN_CORE/../pystubs}"

echo "# $(date -u '+%F %T UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | xargs), $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo 'no AVX-512')), $(nproc) CPUs, $(go version | cut -d' ' -f3)"
echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+dirty'), $rounds rounds"
load() { cut -d' ' -f1-3 /proc/loadavg; }

# min over the values of KEY in lines "RESULT NAME ... KEY=VALUE"
declare -A best
note() { # note NAME VALUE: keep the minimum
	local k=$1 v=$2
	if [ -z "${best[$k]:-}" ] || awk "BEGIN{exit !($v < ${best[$k]})}"; then best[$k]=$v; fi
}
field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p" | head -1; } # field KEY < line
gometric() { awk -v u="$1" '{for(i=2;i<=NF;i++) if($(i)==u) print $(i-1)}' | head -1; } # value before unit

report() { # report LABEL OURS PEER UNIT
	awk -v l="$1" -v a="$2" -v b="$3" -v u="$4" 'BEGIN{printf "%-44s ours %12.4g %-6s peer %12.4g %-6s ratio %6.2fx\n", l, a, u, b, u, b/a}'
}

build() { (cd "$root" && go test -c -o "$tmp/$1.test" "./$2") ; }

for part in "${parts[@]}"; do
	case $part in
	cell)
		build neuron neuron
		(cd "$root/neuron" && NEUROGRAD_BENCH_EVENTS="$tmp/l5events.json" "$tmp/neuron.test" -test.run WriteL5PoissonEvents >/dev/null)
		for r in $(seq "$rounds"); do
			o=$(cd "$root/neuron" && "$tmp/neuron.test" -test.run XXX -test.bench 'L5Poisson1s$' -test.benchtime 5x | grep ^Bench)
			note cell.ours "$(gometric cpu-s/op <<<"$o")"
			p=$(cd "$tmp" && PYTHONPATH="$hnnpath" $py "$root/bench/hnn_neuron.py" l5cell "$tmp/l5events.json" 2>/dev/null)
			note cell.peer "$(grep RESULT <<<"$p" | field cpu_s)"
			echo "cell round $r (load $(load)): ours $(gometric cpu-s/op <<<"$o") s, NEURON $(grep RESULT <<<"$p" | field cpu_s) s CPU"
		done
		ours=$(python3 -c "import json;print(' '.join('%.3f'%t for t in json.load(open('$tmp/l5events.json'))['neurograd_spikes_ms']))")
		theirs=$(grep spikes_ms <<<"$p" | cut -d' ' -f2-)
		[ "$ours" = "$theirs" ] && echo "cell: spikes identical ($ours ms)" || echo "cell: SPIKES DIFFER: ours $ours / NEURON $theirs"
		report "one L5 cell, 1 s, 8 Poisson trains (CPU)" "${best[cell.ours]}" "${best[cell.peer]}" s
		;;
	erp | poisson | poisson200)
		build biophys network/biophys
		case $part in
		erp) gb='ERPMesh10/workers=1$' ;;
		poisson) gb='PoissonMesh10/workers=1$' ;;
		poisson200) gb='PoissonMesh10Short/workers=1$' ;;
		esac
		for r in $(seq "$rounds"); do
			o=$(cd "$root/network/biophys" && "$tmp/biophys.test" -test.run XXX -test.bench "$gb" -test.benchtime 1x | grep ^Bench)
			note $part.ours "$(gometric cpu-s/op <<<"$o")"
			p=$(cd "$tmp" && PYTHONPATH="$hnnpath" $py "$root/bench/hnn_neuron.py" $part 2>/dev/null | grep RESULT)
			note $part.peer "$(field cpu_s <<<"$p")"
			echo "$part round $r (load $(load)): ours $(gometric cpu-s/op <<<"$o") s CPU, $(gometric spikes <<<"$o") spikes; NEURON $(field cpu_s <<<"$p") s CPU, $(field spikes <<<"$p") spikes"
		done
		report "270-cell column, $part, 1 core (CPU)" "${best[$part.ours]}" "${best[$part.peer]}" s
		;;
	column)
		build snn network/snn
		for r in $(seq "$rounds"); do
			o=$(cd "$root/network/snn" && "$tmp/snn.test" -test.run XXX -test.bench 'ColumnForward/segments/replicas=4$' -test.benchtime 2x -test.cpu 1 | grep ^Bench)
			note column.fwd "$(gometric cpu-ms/cell-s <<<"$o")"
			o2=$(cd "$root/network/snn" && "$tmp/snn.test" -test.run XXX -test.bench 'ColumnBPTT/segments/replicas=4$' -test.benchtime 1x -test.cpu 1 | grep ^Bench)
			note column.bptt "$(gometric cpu-ms/cell-s <<<"$o2")"
			peer=${COLUMN_PEER:-poisson}
			cs=270
			[ "$peer" = poisson200 ] && cs=54 # 270 cells x 1 s or 0.2 s
			p=$(cd "$tmp" && PYTHONPATH="$hnnpath" $py "$root/bench/hnn_neuron.py" "$peer" 2>/dev/null | grep RESULT)
			note column.peer "$(awk -v c="$(field cpu_s <<<"$p")" -v n=$cs 'BEGIN{print c/n*1000}')"
			echo "column round $r (load $(load)): ours forward $(gometric cpu-ms/cell-s <<<"$o"), forward+BPTT $(gometric cpu-ms/cell-s <<<"$o2") ms CPU per cell-second; NEURON $peer $(field cpu_s <<<"$p") s CPU for $cs cell-seconds"
		done
		report "surrogate column forward, per cell-second (CPU)" "${best[column.fwd]}" "${best[column.peer]}" ms
		report "surrogate column fwd+BPTT, per cell-second (CPU)" "${best[column.bptt]}" "${best[column.peer]}" ms
		;;
	gemm)
		build kernel internal/kernel
		cc -O2 -o "$tmp/openblas_gemm" "$root/bench/openblas_gemm.c" -lopenblas
		shapes=(16x16x16 64x64x64 256x256x256 1000x320x64 132x128x256)
		for r in $(seq "$rounds"); do
			for th in 1 2; do
				o=$(cd "$root/internal/kernel" && "$tmp/kernel.test" -test.run XXX -test.bench 'Gemm/f32/(16x16x16|64x64x64|256x256x256|1000x320x64|132x128x256)/avx' -test.benchtime 300ms -test.cpu $th | grep ^Bench)
				p=$("$tmp/openblas_gemm" $th | grep RESULT)
				for s in "${shapes[@]}"; do
					l=$(grep "/$s/" <<<"$o" || true)
					[ -n "$l" ] || continue
					read -r m k n <<<"${s//x/ }"
					gf=$(awk -v m=$m -v k=$k -v n=$n 'BEGIN{print 2*m*k*n}')
					# wall ns/op, and CPU ns/op from GFLOP/cpu-s
					note "g$th.$s.ours.wall" "$(gometric ns/op <<<"$l")"
					note "g$th.$s.ours.cpu" "$(awk -v f=$gf -v g="$(gometric GFLOP/cpu-s <<<"$l")" 'BEGIN{print f/g}')"
					pl=$(grep " $s " <<<"$p")
					note "g$th.$s.peer.wall" "$(field wall_ns <<<"$pl")"
					note "g$th.$s.peer.cpu" "$(field cpu_ns <<<"$pl")"
				done
			done
			echo "gemm round $r done (load $(load))"
		done
		for th in 1 2; do
			for s in "${shapes[@]}"; do
				[ -n "${best[g$th.$s.ours.wall]:-}" ] || continue
				report "f32 GEMM $s, $th thread(s), wall" "${best[g$th.$s.ours.wall]}" "${best[g$th.$s.peer.wall]}" ns
				[ $th = 1 ] && report "f32 GEMM $s, 1 thread, CPU" "${best[g1.$s.ours.cpu]}" "${best[g1.$s.peer.cpu]}" ns
			done
		done
		for s in 256x256x256 1000x320x64; do
			awk -v s=$s -v a="${best[g1.$s.ours.wall]}" -v b="${best[g2.$s.ours.wall]}" -v c="${best[g1.$s.peer.wall]}" -v d="${best[g2.$s.peer.wall]}" \
				'BEGIN{printf "%-44s ours %.2fx, OpenBLAS %.2fx (wall; quiet machine only)\n", "2 threads / 1 thread, " s, a/b, c/d}'
		done
		;;
	welch)
		build spectral spectral
		for r in $(seq "$rounds"); do
			o=$(cd "$root/spectral" && "$tmp/spectral.test" -test.run XXX -test.bench 'Welch132/forward$' -test.benchtime 50x -test.cpu 1 | grep ^Bench)
			note welch.ours "$(gometric cpu-ns/op <<<"$o")"
			p=$($py "$root/bench/scipy_welch.py" | grep RESULT)
			note welch.peer "$(field cpu_ns <<<"$p")"
			echo "welch round $r (load $(load)): ours $(gometric cpu-ns/op <<<"$o") ns, scipy $(field cpu_ns <<<"$p") ns CPU"
		done
		report "Welch 132 x 2000, forward, 1 thread (CPU)" "${best[welch.ours]}" "${best[welch.peer]}" ns
		;;
	lstm)
		build nn nn
		for r in $(seq "$rounds"); do
			o=$(cd "$root/nn" && "$tmp/nn.test" -test.run XXX -test.bench 'Step$' -test.benchtime 1x -test.cpu 1 | grep ^Bench)
			note lstm.ours "$(awk -v v="$(gometric cpu-ns/op <<<"$o")" 'BEGIN{print v/1e9}')"
			p=$($py "$root/bench/torch_step.py" 1 | grep RESULT)
			note lstm.peer "$(field cpu_s <<<"$p")"
			echo "lstm round $r (load $(load)): ours ${best[lstm.ours]} s, PyTorch $(field cpu_s <<<"$p") s CPU"
		done
		report "CNN-LSTM step BPTT 132x1000, 1 thread (CPU)" "${best[lstm.ours]}" "${best[lstm.peer]}" s
		;;
	*) echo "unknown part $part" >&2; exit 2 ;;
	esac
done
