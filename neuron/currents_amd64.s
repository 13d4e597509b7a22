//go:build amd64 && !purego

#include "textflag.h"

// Offsets of currentArgs, see currents_avx2.go.
#define U_V 0
#define U_GATE 8
#define U_PAR 16
#define U_ECA 24
#define U_ICA 32
#define U_OUT 40
#define U_CONST 48
#define U_STRIDE 56

// Rows of currentConsts (32 bytes each).
#define Q_ENA 0
#define Q_EK 32
#define Q_CATE 64
#define Q_ARE 96
#define Q_ZERO 128
#define Q_SIGN 160

// CUR_SETUP loads the arguments: lanes CX, v SI, gates DI, parameters BX, eca DX, ica R13,
// out R14; the stride P (bytes) and its multiples R8 = P, R9 = 3P, R10 = 5P, R11 = 7P,
// R12 = 9P; the constants ena Y10, ek Y11, 0 Y14, the sign bit Y15 (cat's and ar's
// reversal potentials are read from memory, AX).
#define CUR_SETUP \
	MOVQ n+0(FP), CX; \
	MOVQ a+8(FP), AX; \
	MOVQ U_V(AX), SI; \
	MOVQ U_GATE(AX), DI; \
	MOVQ U_PAR(AX), BX; \
	MOVQ U_ECA(AX), DX; \
	MOVQ U_ICA(AX), R13; \
	MOVQ U_OUT(AX), R14; \
	MOVQ U_STRIDE(AX), R8; \
	LEAQ (R8)(R8*2), R9; \
	LEAQ (R8)(R8*4), R10; \
	LEAQ (R9)(R8*4), R11; \
	LEAQ (R8)(R8*8), R12; \
	MOVQ U_CONST(AX), AX; \
	VMOVUPD Q_ENA(AX), Y10; \
	VMOVUPD Q_EK(AX), Y11; \
	VMOVUPD Q_ZERO(AX), Y14; \
	VMOVUPD Q_SIGN(AX), Y15

// CUR_HHKM evaluates hh2 and km of four segments as fusedCurrents does: v in Y0, ek
// difference v-ek in Y6, i in Y5, g in Y2. Gates: m 0, h P, n 2P, km n 3P; parameters:
// gnabar 0, gkbar P, gl 2P, el 3P, km gbar 4P.
#define CUR_HHKM \
	VMOVUPD (SI), Y0; \
	VMOVUPD (DI), Y1; \
	VMULPD  (BX), Y1, Y2; \
	VMULPD  Y1, Y2, Y2; \
	VMULPD  Y1, Y2, Y2; \
	VMULPD  (DI)(R8*1), Y2, Y2; \
	VMOVUPD (DI)(R8*2), Y3; \
	VMULPD  Y3, Y3, Y3; \
	VMULPD  (BX)(R8*1), Y3, Y4; \
	VMULPD  Y3, Y4, Y4; \
	VSUBPD  Y10, Y0, Y5; \
	VMULPD  Y5, Y2, Y5; \
	VSUBPD  Y11, Y0, Y6; \
	VMULPD  Y6, Y4, Y7; \
	VADDPD  Y7, Y5, Y5; \
	VMOVUPD (BX)(R8*2), Y7; \
	VSUBPD  (BX)(R9*1), Y0, Y8; \
	VMULPD  Y8, Y7, Y8; \
	VADDPD  Y8, Y5, Y5; \
	VADDPD  Y5, Y14, Y5; \
	VADDPD  Y4, Y2, Y2; \
	VADDPD  Y7, Y2, Y2; \
	VADDPD  Y2, Y14, Y2; \
	VMOVUPD (BX)(R8*4), Y1; \
	VMULPD  (DI)(R9*1), Y1, Y1; \
	VMULPD  Y6, Y1, Y3; \
	VADDPD  Y3, Y5, Y5; \
	VADDPD  Y1, Y2, Y2

// CUR_OUT writes -i*a to out and g*a to out+P (a: parameter row 9P) and advances the
// pointers by four segments.
#define CUR_OUT \
	VMOVUPD (BX)(R12*1), Y1; \
	VXORPD  Y15, Y5, Y5; \
	VMULPD  Y1, Y5, Y5; \
	VMULPD  Y1, Y2, Y2; \
	VMOVUPD Y5, (R14); \
	VMOVUPD Y2, (R14)(R8*1); \
	ADDQ $32, SI; \
	ADDQ $32, DI; \
	ADDQ $32, BX; \
	ADDQ $32, DX; \
	ADDQ $32, R13; \
	ADDQ $32, R14; \
	SUBQ $4, CX

// func currentsHHKmAVX2(n int, a *currentArgs)
//
// fusedCurrents' fusedHHKm sums for n segments (a multiple of 4) into out: -i·area and
// g·area, lane by lane with the same operations in the same order.
TEXT ·currentsHHKmAVX2(SB), NOSPLIT, $0-16
	CUR_SETUP

hkloop:
	CMPQ CX, $4
	JLT  hkdone
	CUR_HHKM
	CUR_OUT
	JMP  hkloop

hkdone:
	VZEROUPPER
	RET

// func currentsAllAVX2(n int, a *currentArgs)
//
// fusedCurrents' fusedAll sums for n segments (a multiple of 4): hh2 and km as
// currentsHHKmAVX2, then ca (gates 4P, 5P; gbar 5P; ica written), kca (6P; 6P), cat (7P,
// 8P; 7P) and ar (9P; 8P).
TEXT ·currentsAllAVX2(SB), NOSPLIT, $0-16
	CUR_SETUP

caloop:
	CMPQ CX, $4
	JLT  cadone
	CUR_HHKM
	// ca: gc = cab*m*m*h, ic = gc*(v - eca), ica = 0 + ic
	VMOVUPD (DI)(R8*4), Y1
	VMULPD  (BX)(R10*1), Y1, Y3
	VMULPD  Y1, Y3, Y3
	VMULPD  (DI)(R10*1), Y3, Y3
	VSUBPD  (DX), Y0, Y4
	VMULPD  Y4, Y3, Y4
	VADDPD  Y4, Y14, Y7
	VMOVUPD Y7, (R13)
	VADDPD  Y4, Y5, Y5
	VADDPD  Y3, Y2, Y2
	// kca: gkc = kcab*n
	VMOVUPD (BX)(R9*2), Y1
	VMULPD  (DI)(R9*2), Y1, Y1
	VMULPD  Y6, Y1, Y3
	VADDPD  Y3, Y5, Y5
	VADDPD  Y1, Y2, Y2
	// cat: gt = catb*m*m*h
	VMOVUPD (DI)(R11*1), Y1
	VMULPD  (BX)(R11*1), Y1, Y3
	VMULPD  Y1, Y3, Y3
	VMULPD  (DI)(R8*8), Y3, Y3
	VSUBPD  Q_CATE(AX), Y0, Y4
	VMULPD  Y4, Y3, Y4
	VADDPD  Y4, Y5, Y5
	VADDPD  Y3, Y2, Y2
	// ar: ga = arb*m
	VMOVUPD (BX)(R8*8), Y1
	VMULPD  (DI)(R12*1), Y1, Y1
	VSUBPD  Q_ARE(AX), Y0, Y4
	VMULPD  Y4, Y1, Y4
	VADDPD  Y4, Y5, Y5
	VADDPD  Y1, Y2, Y2
	CUR_OUT
	JMP  caloop

cadone:
	VZEROUPPER
	RET
