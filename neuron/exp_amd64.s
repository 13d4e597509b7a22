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
