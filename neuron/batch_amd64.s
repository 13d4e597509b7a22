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
// at PINF and -dt/τ (mdt in Y11) at PX, as tableRatesAVX2 does.
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

// func table3RatesAVX2(v, inf, x []float64, stride int, a *gateArgs)
//
// tableRatesAVX2 for the three gates whose (x∞, τ) are columns 0-1, 2-3 and 4-5 of one
// table: the row and weight of each voltage are computed once (with tableRatesAVX2's
// operations) and serve the three pairs; gate j's x∞ and -dt/τ go to inf and x at
// j*stride. len(v) = stride is a multiple of 4.
TEXT ·table3RatesAVX2(SB), NOSPLIT, $0-88
	MOVQ v_base+0(FP), SI
	MOVQ v_len+8(FP), CX
	MOVQ inf_base+24(FP), DI
	MOVQ x_base+48(FP), DX
	MOVQ stride+72(FP), R14
	MOVQ a+80(FP), BX
	SHLQ $3, R14                 // stride (bytes)
	LEAQ (R14)(R14*1), AX        // 2*stride (bytes)
	MOVQ A_DATA(BX), R8
	VBROADCASTSD A_VMIN(BX), Y15
	VBROADCASTSD A_MFAC(BX), Y14
	VBROADCASTSD A_N(BX), Y13
	VBROADCASTSD A_MDT(BX), Y11
	VPBROADCASTD A_COLS(BX), X10
	MOVLQSX A_COLS(BX), R13
	LEAQ    (R8)(R13*8), R13     // the next row

t3loop:
	CMPQ CX, $4
	JLT  t3done
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
	TGATE(0, (DI), (DX))
	TGATE(16, (DI)(R14*1), (DX)(R14*1))
	TGATE(32, (DI)(AX*1), (DX)(AX*1))
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP  t3loop

t3done:
	VZEROUPPER
	RET

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
