//go:build amd64 && !purego

#include "textflag.h"

// Constant rows (32 bytes each) of expConsts, see fastexp.go.
#define C_LO 0
#define C_HI 32
#define C_INVLN2 64
#define C_SHIFT 96
#define C_LN2HI 128
#define C_LN2LO 160
#define C_SIXTH 192
#define C_HALF 224
#define C_C120 256
#define C_C24 288
#define C_MASK 320
#define C_ONE 352

// func oneMinusExpAVX2(x []float64, c *[expConstCount][4]float64, tab *[128]float64)
TEXT ·oneMinusExpAVX2(SB), NOSPLIT, $0-40
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ c+24(FP), AX
	MOVQ tab+32(FP), DX
	VMOVUPD C_LO(AX), Y12
	VMOVUPD C_HI(AX), Y13
	VMOVUPD C_ONE(AX), Y14

loop:
	CMPQ CX, $4
	JLT  done
	VMOVUPD (SI), Y0
	VMAXPD  Y0, Y12, Y0          // max(-40, v); NaN v stays NaN
	VMINPD  Y0, Y13, Y0          // min(700, v)
	VMULPD  C_INVLN2(AX), Y0, Y1 // v*invLn2
	VADDPD  C_SHIFT(AX), Y1, Y1  // kd = v*invLn2 + shift (bits hold k)
	VSUBPD  C_SHIFT(AX), Y1, Y2  // kd - shift
	VMULPD  C_LN2HI(AX), Y2, Y3
	VSUBPD  Y3, Y0, Y3           // v - kd*ln2Hi
	VMULPD  C_LN2LO(AX), Y2, Y4
	VSUBPD  Y4, Y3, Y3           // r
	VMULPD  Y3, Y3, Y4           // r2
	VMULPD  C_SIXTH(AX), Y3, Y5  // r/6
	VADDPD  C_HALF(AX), Y5, Y5   // 0.5 + r/6
	VMULPD  Y5, Y4, Y5           // r2*(...)
	VADDPD  Y5, Y3, Y5           // r + r2*(...)
	VMULPD  Y4, Y4, Y6           // r2*r2
	VMULPD  C_C120(AX), Y3, Y7   // r/120
	VADDPD  C_C24(AX), Y7, Y7    // 1/24 + r/120
	VMULPD  Y7, Y6, Y6
	VADDPD  Y6, Y5, Y5           // p
	VPAND   C_MASK(AX), Y1, Y6   // j = k & 127
	VPCMPEQQ Y7, Y7, Y7          // gather mask: all lanes
	VGATHERQPD Y7, (DX)(Y6*8), Y8 // 2^(j/128)
	VPSRLQ  $7, Y1, Y9
	VPSLLQ  $52, Y9, Y9
	VPADDQ  Y9, Y8, Y8           // s = 2^(k/128)
	VMULPD  Y5, Y8, Y9           // s*p
	VADDPD  Y9, Y8, Y9           // s + s*p
	VSUBPD  Y9, Y14, Y9          // 1 - (s + s*p)
	VMOVUPD Y9, (SI)
	ADDQ $32, SI
	SUBQ $4, CX
	JMP  loop

done:
	VZEROUPPER
	RET

// Offsets of gateArgs, see gates.go.
#define A_VMIN 0
#define A_MFAC 8
#define A_N 16
#define A_MDT 24
#define A_COLS 32
#define A_DATA 40

// func tableRatesAVX2(v, inf, x []float64, a *gateArgs)
//
// Per lane, exactly as tableGatesGo: xi = mfac*(v-vmin); row, th = 0, 0 where xi <= 0;
// n, 0 where xi >= n; int(xi), xi-int(xi) inside; 0, NaN for NaN. Then
// inf = lo+th*(hi-lo) and tau likewise from that row and the next, x = mdt/tau.
TEXT ·tableRatesAVX2(SB), NOSPLIT, $0-80
	MOVQ v_base+0(FP), SI
	MOVQ v_len+8(FP), CX
	MOVQ inf_base+24(FP), DI
	MOVQ x_base+48(FP), DX
	MOVQ a+72(FP), BX
	MOVQ A_DATA(BX), R8
	VBROADCASTSD A_VMIN(BX), Y15
	VBROADCASTSD A_MFAC(BX), Y14
	VBROADCASTSD A_N(BX), Y13
	VBROADCASTSD A_MDT(BX), Y11
	VPBROADCASTD A_COLS(BX), X10
	MOVLQSX A_COLS(BX), R13
	LEAQ    (R8)(R13*8), R13     // the next row's x∞

rloop:
	CMPQ CX, $4
	JLT  rdone
	VXORPD  Y12, Y12, Y12
	VMOVUPD (SI), Y0
	VSUBPD  Y15, Y0, Y0          // v - vmin
	VMULPD  Y0, Y14, Y0          // xi = mfac*(v - vmin)
	VCVTTPD2DQY Y0, X1           // int(xi) (meaningless outside (0, n))
	VCVTDQ2PD X1, Y2             // float64(int(xi))
	VSUBPD  Y2, Y0, Y3           // th = xi - float64(int(xi))
	VCMPPD  $0x12, Y12, Y0, Y4   // xi <= 0 (false for NaN)
	VCMPPD  $0x1d, Y13, Y0, Y5   // xi >= n (false for NaN)
	VCMPPD  $0x1e, Y12, Y0, Y6   // xi > 0
	VCMPPD  $0x11, Y13, Y0, Y7   // xi < n
	VANDPD  Y7, Y6, Y6           // inside
	VANDPD  Y6, Y2, Y2           // row = int(xi) inside, else 0
	VANDPD  Y5, Y13, Y7          // n where xi >= n
	VORPD   Y7, Y2, Y2           // row
	VORPD   Y5, Y4, Y4           // clamped
	VANDNPD Y3, Y4, Y3           // th = 0 where clamped (NaN stays)
	VCVTTPD2DQY Y2, X6           // row (exact)
	VPMULLD X10, X6, X6          // offsets row*cols
	VMOVD   X6, R9
	VPEXTRD $1, X6, R10
	VPEXTRD $2, X6, R11
	VPEXTRD $3, X6, R12
	// (x∞, τ) pairs of rows o (base R8) and o+1 (base R13), lanes 0|2 and 1|3
	VMOVUPD (R8)(R9*8), X1
	VINSERTF128 $1, (R8)(R11*8), Y1, Y1
	VMOVUPD (R8)(R10*8), X2
	VINSERTF128 $1, (R8)(R12*8), Y2, Y2
	VUNPCKLPD Y2, Y1, Y4         // x∞ lo
	VUNPCKHPD Y2, Y1, Y5         // τ lo
	VMOVUPD (R13)(R9*8), X1
	VINSERTF128 $1, (R13)(R11*8), Y1, Y1
	VMOVUPD (R13)(R10*8), X2
	VINSERTF128 $1, (R13)(R12*8), Y2, Y2
	VUNPCKLPD Y2, Y1, Y6         // x∞ hi
	VUNPCKHPD Y2, Y1, Y7         // τ hi
	VSUBPD  Y4, Y6, Y6
	VMULPD  Y6, Y3, Y6
	VADDPD  Y6, Y4, Y12          // inf = lo + th*(hi - lo)
	VSUBPD  Y5, Y7, Y7
	VMULPD  Y7, Y3, Y7
	VADDPD  Y7, Y5, Y4           // tau = lo + th*(hi - lo)
	VDIVPD  Y4, Y11, Y0          // x = mdt/tau
	VMOVUPD Y12, (DI)
	VMOVUPD Y0, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP  rloop

rdone:
	VZEROUPPER
	RET

// func cnexpUpdateAVX2(g, inf, x []float64, c *[expConstCount][4]float64, tab *[128]float64)
//
// g += (1-e^x)*(inf-g), 1-e^x with oneMinusExpAVX2's sequence (the table read with scalar
// loads, which are faster than a gather on Zen 3). No fused multiply-add.
TEXT ·cnexpUpdateAVX2(SB), NOSPLIT, $0-88
	MOVQ g_base+0(FP), DI
	MOVQ g_len+8(FP), CX
	MOVQ inf_base+24(FP), SI
	MOVQ x_base+48(FP), BX
	MOVQ c+72(FP), AX
	MOVQ tab+80(FP), DX

uloop:
	CMPQ CX, $4
	JLT  udone
	VMOVUPD (BX), Y0

	// f = 1 - e^x, the sequence of oneMinusExpAVX2
	VMOVUPD C_LO(AX), Y9
	VMAXPD  Y0, Y9, Y0           // max(-40, x); NaN stays NaN
	VMOVUPD C_HI(AX), Y9
	VMINPD  Y0, Y9, Y0           // min(700, x)
	VMULPD  C_INVLN2(AX), Y0, Y1
	VADDPD  C_SHIFT(AX), Y1, Y1  // kd (bits hold k)
	VSUBPD  C_SHIFT(AX), Y1, Y2
	VMULPD  C_LN2HI(AX), Y2, Y3
	VSUBPD  Y3, Y0, Y3
	VMULPD  C_LN2LO(AX), Y2, Y4
	VSUBPD  Y4, Y3, Y3           // r
	VMULPD  Y3, Y3, Y4           // r2
	VMULPD  C_SIXTH(AX), Y3, Y5
	VADDPD  C_HALF(AX), Y5, Y5
	VMULPD  Y5, Y4, Y5
	VADDPD  Y5, Y3, Y5
	VMULPD  Y4, Y4, Y6
	VMULPD  C_C120(AX), Y3, Y7
	VADDPD  C_C24(AX), Y7, Y7
	VMULPD  Y7, Y6, Y6
	VADDPD  Y6, Y5, Y5           // p
	VPAND   C_MASK(AX), Y1, Y6
	VMOVQ   X6, R9
	VPEXTRQ $1, X6, R10
	VEXTRACTI128 $1, Y6, X7
	VMOVQ   X7, R11
	VPEXTRQ $1, X7, R12
	VMOVSD  (DX)(R9*8), X8
	VMOVHPD (DX)(R10*8), X8, X8
	VMOVSD  (DX)(R11*8), X9
	VMOVHPD (DX)(R12*8), X9, X9
	VINSERTF128 $1, X9, Y8, Y8   // 2^(j/128)
	VPSRLQ  $7, Y1, Y9
	VPSLLQ  $52, Y9, Y9
	VPADDQ  Y9, Y8, Y8           // s
	VMULPD  Y5, Y8, Y9
	VADDPD  Y9, Y8, Y9           // s + s*p
	VMOVUPD C_ONE(AX), Y8
	VSUBPD  Y9, Y8, Y9           // f = 1 - (s + s*p)

	VMOVUPD (DI), Y2             // g
	VMOVUPD (SI), Y12
	VSUBPD  Y2, Y12, Y3          // inf - g
	VMULPD  Y3, Y9, Y3           // f*(inf - g)
	VADDPD  Y3, Y2, Y2
	VMOVUPD Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, BX
	SUBQ $4, CX
	JMP  uloop

udone:
	VZEROUPPER
	RET

// Constant rows of logConsts, see eca.go.
#define L_CAO 0
#define L_ONE 32
#define L_HALF 64
#define L_THIRD 96
#define L_QUARTER 128
#define L_FIFTH 160
#define L_SIXTH 192
#define L_LN2 224
#define L_MAGIC 256
#define L_MAGIC1023 288
#define L_MANT 320
#define L_ONEEXP 352
#define L_IDX 384
#define L_LO 416
#define L_HI 448

// func ecaAVX2(cai, eca, r []float64, ktfHalf float64, c *[logConstCount + 1][4]float64, tab *[128][2]float64) (ok bool)
//
// eca = ktfHalf*fastLog(cao/cai) lane by lane with fastLog's operations in its order,
// valid where cao/cai is a positive normal number: ok reports whether every cai is in
// (2^-1020, 2^1020) (ecaInRange). Two passes with short chains: the reduced argument
// (into the scratch r) and e*ln2 + log c (into eca), then the polynomial and the sum. No
// fused multiply-add.
TEXT ·ecaAVX2(SB), NOSPLIT, $0-97
	MOVQ cai_base+0(FP), SI
	MOVQ cai_len+8(FP), CX
	MOVQ eca_base+24(FP), DI
	MOVQ r_base+48(FP), BX
	MOVQ c+80(FP), AX
	MOVQ tab+88(FP), DX
	VPCMPEQQ Y12, Y12, Y12       // in range so far: all lanes

eloop:
	CMPQ CX, $4
	JLT  edone
	VMOVUPD (SI), Y9             // cai
	VCMPPD  $0x1e, L_LO(AX), Y9, Y10 // cai > 2^-1020 (false for NaN)
	VCMPPD  $0x11, L_HI(AX), Y9, Y11 // cai < 2^1020
	VANDPD  Y11, Y10, Y10
	VANDPD  Y10, Y12, Y12
	VMOVUPD L_CAO(AX), Y0
	VDIVPD  Y9, Y0, Y0           // x = cao/cai
	VPSRLQ  $52, Y0, Y1          // biased exponent (x > 0: no sign bit)
	VPOR    L_MAGIC(AX), Y1, Y1
	VSUBPD  L_MAGIC1023(AX), Y1, Y1 // float64(e)
	VPSRLQ  $45, Y0, Y2
	VPAND   L_IDX(AX), Y2, Y2    // j
	VPAND   L_MANT(AX), Y0, Y3
	VPOR    L_ONEEXP(AX), Y3, Y3 // m in [1, 2)
	VPSLLQ  $4, Y2, Y2           // j*16: byte offset of the table row
	VMOVQ   X2, R9
	VPEXTRQ $1, X2, R10
	VEXTRACTI128 $1, Y2, X4
	VMOVQ   X4, R11
	VPEXTRQ $1, X4, R12
	VMOVUPD (DX)(R9*1), X4
	VINSERTF128 $1, (DX)(R11*1), Y4, Y4
	VMOVUPD (DX)(R10*1), X5
	VINSERTF128 $1, (DX)(R12*1), Y5, Y5
	VUNPCKLPD Y5, Y4, Y6         // 1/c_j
	VUNPCKHPD Y5, Y4, Y7         // log c_j
	VMULPD  Y6, Y3, Y3           // m*(1/c)
	VSUBPD  L_ONE(AX), Y3, Y3    // r
	VMULPD  L_LN2(AX), Y1, Y1    // e*ln2
	VADDPD  Y7, Y1, Y1           // + log c
	VMOVUPD Y3, (BX)             // r, for the second pass
	VMOVUPD Y1, (DI)             // e*ln2 + log c, likewise
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, BX
	SUBQ $4, CX
	JMP  eloop

edone:
	// second pass: the polynomial p(r) and ktfHalf*((e*ln2 + log c) + p)
	MOVQ cai_len+8(FP), CX
	MOVQ eca_base+24(FP), DI
	MOVQ r_base+48(FP), BX
	VBROADCASTSD ktfHalf+72(FP), Y15
	VMOVUPD L_HALF(AX), Y13
	VMOVUPD L_FIFTH(AX), Y14
	VMOVUPD L_QUARTER(AX), Y11

e2loop:
	CMPQ CX, $4
	JLT  e2done
	VMOVUPD (BX), Y3             // r
	VMULPD  Y3, Y3, Y4           // r2
	VMULPD  L_THIRD(AX), Y3, Y5  // r/3
	VSUBPD  Y5, Y13, Y5          // 0.5 - r/3
	VMULPD  Y5, Y4, Y5           // r2*(...)
	VSUBPD  Y5, Y3, Y5           // r - r2*(...)
	VMULPD  L_SIXTH(AX), Y3, Y6  // r/6
	VSUBPD  Y6, Y14, Y6          // 0.2 - r/6
	VMULPD  Y6, Y3, Y6           // r*(...)
	VSUBPD  Y6, Y11, Y6          // 0.25 - r*(...)
	VMULPD  Y4, Y4, Y8           // r2*r2
	VMULPD  Y6, Y8, Y6           // r2*r2*(...)
	VSUBPD  Y6, Y5, Y5           // p
	VMOVUPD (DI), Y1             // e*ln2 + log c
	VADDPD  Y5, Y1, Y1           // + p
	VMULPD  Y1, Y15, Y1          // ktfHalf*log
	VMOVUPD Y1, (DI)
	ADDQ $32, DI
	ADDQ $32, BX
	SUBQ $4, CX
	JMP  e2loop

e2done:
	VMOVMSKPD Y12, R9
	CMPQ R9, $15
	SETEQ ok+96(FP)
	VZEROUPPER
	RET
