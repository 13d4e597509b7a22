//go:build amd64 && !purego

#include "textflag.h"

// Offsets of gateArgs, see gates.go.
#define A_VMIN 0
#define A_MFAC 8
#define A_N 16
#define A_MDT 24
#define A_COLS 32
#define A_DATA 40

// TGATE interpolates the (x∞, τ) pair at byte offset OFF of the four lanes' rows (row
// offsets in R9-R12, rows at R8 and the next rows at R13, weight th in Y3) and stores x∞
// at PINF and -dt/τ (mdt in Y11) at PX, with tableRatesAVX2's operations.
#define TGATE(OFF, PINF, PX) \
	VMOVUPD OFF(R8)(R9*8), X1; \
	VINSERTF128 $1, OFF(R8)(R11*8), Y1, Y1; \
	VMOVUPD OFF(R8)(R10*8), X2; \
	VINSERTF128 $1, OFF(R8)(R12*8), Y2, Y2; \
	VUNPCKLPD Y2, Y1, Y4; \
	VUNPCKHPD Y2, Y1, Y5; \
	VMOVUPD OFF(R13)(R9*8), X1; \
	VINSERTF128 $1, OFF(R13)(R11*8), Y1, Y1; \
	VMOVUPD OFF(R13)(R10*8), X2; \
	VINSERTF128 $1, OFF(R13)(R12*8), Y2, Y2; \
	VUNPCKLPD Y2, Y1, Y6; \
	VUNPCKHPD Y2, Y1, Y7; \
	VSUBPD  Y4, Y6, Y6; \
	VMULPD  Y6, Y3, Y6; \
	VADDPD  Y6, Y4, Y8; \
	VSUBPD  Y5, Y7, Y7; \
	VMULPD  Y7, Y3, Y7; \
	VADDPD  Y7, Y5, Y4; \
	VDIVPD  Y4, Y11, Y9; \
	VMOVUPD Y8, PINF; \
	VMOVUPD Y9, PX

// Offsets of cadKcaArgs, see batch.go.
#define K_ICA 0
#define K_SCALE 8
#define K_TAUR 16
#define K_CAINF 24
#define K_DECAY 32
#define K_CA 40
#define K_CAI 48
#define K_INF 56
#define K_X 64
#define K_RA 72
#define K_RB 80
#define K_INVTADJ 88
#define K_MDT 96

// func cadKcaAVX2(n int, a *cadKcaArgs)
//
// cad's state update and kca's x∞ and -dt/τ from the new cai, lane by lane with the
// operations of cadMech.state and kcaMech.gates in their order: drive = scale*ica, 0 where
// drive <= 0 (NaN stays); ca += decay*((drive*taur + cainf) - ca); cai = ca;
// a = ra*cai; inf = a/(a + rb); x = mdt/(invTadj/(a + rb)). n is a multiple of 4.
TEXT ·cadKcaAVX2(SB), NOSPLIT, $0-16
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ K_ICA(AX), R8
	MOVQ K_SCALE(AX), R9
	MOVQ K_TAUR(AX), R10
	MOVQ K_CAINF(AX), R11
	MOVQ K_DECAY(AX), R12
	MOVQ K_CA(AX), R13
	MOVQ K_CAI(AX), R14
	MOVQ K_INF(AX), BX
	MOVQ K_X(AX), DI
	VBROADCASTSD K_RA(AX), Y12
	VBROADCASTSD K_RB(AX), Y13
	VBROADCASTSD K_INVTADJ(AX), Y14
	VBROADCASTSD K_MDT(AX), Y15
	VXORPD Y11, Y11, Y11
	XORQ   SI, SI                // byte offset

kloop:
	CMPQ CX, $4
	JLT  kdone
	VMOVUPD (R9)(SI*1), Y0
	VMULPD  (R8)(SI*1), Y0, Y0   // drive = scale*ica
	VCMPPD  $0x12, Y11, Y0, Y1   // drive <= 0 (false for NaN)
	VANDNPD Y0, Y1, Y0           // drive = 0 there
	VMULPD  (R10)(SI*1), Y0, Y0  // drive*taur
	VADDPD  (R11)(SI*1), Y0, Y0  // + cainf
	VMOVUPD (R13)(SI*1), Y2      // ca
	VSUBPD  Y2, Y0, Y0           // - ca
	VMULPD  (R12)(SI*1), Y0, Y0  // decay*(...)
	VADDPD  Y0, Y2, Y2           // ca += ...
	VMOVUPD Y2, (R13)(SI*1)
	VMOVUPD Y2, (R14)(SI*1)      // cai = ca
	VMULPD  Y12, Y2, Y3          // a = ra*cai
	VADDPD  Y13, Y3, Y4          // a + rb
	VDIVPD  Y4, Y14, Y5          // tau = invTadj/(a + rb)
	VDIVPD  Y4, Y3, Y6           // inf = a/(a + rb)
	VDIVPD  Y5, Y15, Y7          // x = mdt/tau
	VMOVUPD Y6, (BX)(SI*1)
	VMOVUPD Y7, (DI)(SI*1)
	ADDQ $32, SI
	SUBQ $4, CX
	JMP  kloop

kdone:
	VZEROUPPER
	RET

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

// func cnexpFinishAVX2(g, inf, kd, p []float64, c *[expConstCount][4]float64, tab *[128]float64)
//
// The last pass of cnexpUpdateAVX2: s = 2^(k/N) from kd's bits (expReduceAVX2) and the
// table, f = 1 - (s + s*p) with p from expPolyAVX2, g += f*(inf - g), with
// cnexpUpdateAVX2's operations. The lengths are equal
// and a multiple of 4.
TEXT ·cnexpFinishAVX2(SB), NOSPLIT, $0-112
	MOVQ g_base+0(FP), DI
	MOVQ g_len+8(FP), CX
	MOVQ inf_base+24(FP), SI
	MOVQ kd_base+48(FP), BX
	MOVQ p_base+72(FP), R8
	MOVQ c+96(FP), AX
	MOVQ tab+104(FP), DX
	VMOVUPD C_ONE(AX), Y14

efloop:
	CMPQ CX, $4
	JLT  efdone
	MOVQ    0(BX), R9            // the bits of kd, lane by lane
	MOVQ    8(BX), R10
	MOVQ    16(BX), R11
	MOVQ    24(BX), R12
	ANDQ    $127, R9             // j = k & (N-1)
	ANDQ    $127, R10
	ANDQ    $127, R11
	ANDQ    $127, R12
	VMOVUPD (BX), Y1             // kd
	VMOVSD  (DX)(R9*8), X8
	VMOVHPD (DX)(R10*8), X8, X8
	VMOVSD  (DX)(R11*8), X9
	VMOVHPD (DX)(R12*8), X9, X9
	VINSERTF128 $1, X9, Y8, Y8   // 2^(j/128)
	VPSRLQ  $7, Y1, Y9
	VPSLLQ  $52, Y9, Y9
	VPADDQ  Y9, Y8, Y8           // s
	VMULPD  (R8), Y8, Y9         // s*p
	VADDPD  Y9, Y8, Y9           // s + s*p
	VSUBPD  Y9, Y14, Y9          // f = 1 - (s + s*p)
	VMOVUPD (DI), Y2             // g
	VMOVUPD (SI), Y12
	VSUBPD  Y2, Y12, Y3          // inf - g
	VMULPD  Y3, Y9, Y3           // f*(inf - g)
	VADDPD  Y3, Y2, Y2
	VMOVUPD Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, BX
	ADDQ $32, R8
	SUBQ $4, CX
	JMP  efloop

efdone:
	VZEROUPPER
	RET

// func tableRatesBatchAVX2(v, th []float64, ix []int64, inf, x []float64, a *[3]gateArgs, gates int)
//
// tableRatesAVX2 for the gates a[0..gates-1], all on one grid, in two passes with its
// operations: the row offset (row*cols, into ix) and weight (into th) of every v on
// a[0]'s grid, then per gate the interpolated x∞ and -dt/τ, gate j's into inf and x at
// j*len(v). len(v) = len(th) = len(ix) is a multiple of 4; inf and x hold gates*len(v).
TEXT ·tableRatesBatchAVX2(SB), NOSPLIT, $0-136
	MOVQ v_base+0(FP), SI
	MOVQ v_len+8(FP), CX
	MOVQ th_base+24(FP), DI
	MOVQ ix_base+48(FP), DX
	MOVQ a+120(FP), BX
	VBROADCASTSD A_VMIN(BX), Y15
	VBROADCASTSD A_MFAC(BX), Y14
	VBROADCASTSD A_N(BX), Y13
	VPBROADCASTD A_COLS(BX), X10
	VXORPD  Y12, Y12, Y12

bxloop:
	CMPQ CX, $4
	JLT  bxdone
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
	VPMOVSXDQ X6, Y6
	VMOVUPD Y3, (DI)
	VMOVDQU Y6, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP  bxloop

bxdone:
	MOVQ inf_base+72(FP), DI
	MOVQ x_base+96(FP), DX
	MOVQ gates+128(FP), R14

bgate:
	CMPQ R14, $0
	JLE  bdone
	MOVQ th_base+24(FP), SI
	MOVQ th_len+32(FP), CX
	MOVQ ix_base+48(FP), AX
	MOVQ A_DATA(BX), R8
	VBROADCASTSD A_MDT(BX), Y11
	MOVLQSX A_COLS(BX), R13
	LEAQ    (R8)(R13*8), R13     // the next row's x∞

bploop:
	CMPQ CX, $4
	JLT  bpdone
	MOVQ 0(AX), R9
	MOVQ 8(AX), R10
	MOVQ 16(AX), R11
	MOVQ 24(AX), R12
	VMOVUPD (SI), Y3
	TGATE(0, (DI), (DX))
	ADDQ $32, SI
	ADDQ $32, AX
	ADDQ $32, DI                 // after the loop: the next gate's x∞
	ADDQ $32, DX
	SUBQ $4, CX
	JMP  bploop

bpdone:
	ADDQ $48, BX                 // the next gateArgs
	DECQ R14
	JMP  bgate

bdone:
	VZEROUPPER
	RET

// func expReduceAVX2(x, kd []float64, c *[expConstCount][4]float64)
//
// The first pass of cnexpUpdateAVX2's exponential: per exponent x, clamped to [-40, 700],
// the shifted kd = x/ln2·N + shift (whose bits hold k; into kd) and the reduced argument r
// (into x), with oneMinusExpAVX2's operations. The lengths are equal and a multiple of 4.
TEXT ·expReduceAVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ kd_base+24(FP), DI
	MOVQ c+48(FP), AX
	VMOVUPD C_LO(AX), Y12
	VMOVUPD C_HI(AX), Y13
	VMOVUPD C_SHIFT(AX), Y14
	VMOVUPD C_INVLN2(AX), Y15
	VMOVUPD C_LN2HI(AX), Y8
	VMOVUPD C_LN2LO(AX), Y9

erloop:
	CMPQ CX, $4
	JLT  erdone
	VMOVUPD (SI), Y0
	VMAXPD  Y0, Y12, Y0          // max(-40, x); NaN stays NaN
	VMINPD  Y0, Y13, Y0          // min(700, x)
	VMULPD  Y15, Y0, Y1
	VADDPD  Y14, Y1, Y1          // kd (bits hold k)
	VSUBPD  Y14, Y1, Y2
	VMULPD  Y8, Y2, Y3
	VSUBPD  Y3, Y0, Y3
	VMULPD  Y9, Y2, Y4
	VSUBPD  Y4, Y3, Y3           // r
	VMOVUPD Y1, (DI)
	VMOVUPD Y3, (SI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  erloop

erdone:
	VZEROUPPER
	RET

// func expPolyAVX2(r []float64, c *[expConstCount][4]float64)
//
// The second pass: the polynomial p of each reduced argument r, in place, with
// oneMinusExpAVX2's operations. The length is a multiple of 4.
TEXT ·expPolyAVX2(SB), NOSPLIT, $0-32
	MOVQ r_base+0(FP), SI
	MOVQ r_len+8(FP), CX
	MOVQ c+24(FP), AX
	VMOVUPD C_SIXTH(AX), Y10
	VMOVUPD C_HALF(AX), Y11
	VMOVUPD C_C120(AX), Y12
	VMOVUPD C_C24(AX), Y13

eqloop:
	CMPQ CX, $4
	JLT  eqdone
	VMOVUPD (SI), Y3
	VMULPD  Y3, Y3, Y4           // r2
	VMULPD  Y10, Y3, Y5
	VADDPD  Y11, Y5, Y5
	VMULPD  Y5, Y4, Y5
	VADDPD  Y5, Y3, Y5
	VMULPD  Y4, Y4, Y6
	VMULPD  Y12, Y3, Y7
	VADDPD  Y13, Y7, Y7
	VMULPD  Y7, Y6, Y6
	VADDPD  Y6, Y5, Y5           // p
	VMOVUPD Y5, (SI)
	ADDQ $32, SI
	SUBQ $4, CX
	JMP  eqloop

eqdone:
	VZEROUPPER
	RET
