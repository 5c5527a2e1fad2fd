#ifndef HFFSIM_CKERNELS_H
#define HFFSIM_CKERNELS_H

#include <stdint.h>

/// Which kernel `hffsim_u8s8_product` runs on this CPU: 2 AVX-512 VNNI, 1 AVX2 (with FMA), 0 the
/// portable loop. All three compute the same exact sums and write the same bits.
int hffsim_u8s8_available(void);

/// out[i][j] = factor scale[j] (256 H[i][j] + L[i][j]) for i < m, j < n, where H and L are the
/// exact int32 sums over k of a[i][k] times the high and low signed digits of column j.
/// A: m rows of 4 k4 unsigned bytes (row stride lda, zero past the real rows of B). B, packed in
/// panels of 16 columns: panel p, quad q holds 64 bytes of high digits then 64 of low digits,
/// byte ((p k4 + q) 32 + d 16 + j) 4 + r = digit d (0 high, 1 low) of B[4q + r][16p + j].
/// Sums are exact while 255 x 128 x 4 k4 < 2^31.
void hffsim_u8s8_product(int m, int n, int k4, const uint8_t *a, long lda, const int8_t *bp,
                         const float *scale, float factor, float *out, long ldo);

/// The same product by plain loops on any CPU (what `hffsim_u8s8_product` runs without VNNI or AVX2).
void hffsim_u8s8_product_reference(int m, int n, int k4, const uint8_t *a, long lda, const int8_t *bp,
                                   const float *scale, float factor, float *out, long ldo);

/// Whether the float GEMM should use `hffsim_sgemm_8x32_avx2`: AVX2 with FMA and no AVX-512.
int hffsim_sgemm_avx2_preferred(void);

/// C[0..<8][0..<32] = alpha A B + beta C for GEMM's packed slivers (A: 8 floats per k, B: 32
/// per k), element by element the same bits as the Swift micro-kernel. AVX2 only.
void hffsim_sgemm_8x32_avx2(int kb, const float *a, const float *b, float *c, long ldc, float alpha, float beta);

/// dst[r ldd + c] = src[c ld + r] for r, c < 8 (GEMM's packing of transposed runs). AVX2 only.
void hffsim_transpose8x8_avx2(const float *src, long ld, float *dst, long ldd);

/// Keeps large allocations in glibc's heap instead of mapping and unmapping each one (which
/// zeroes fresh pages every time); a no-op elsewhere. Allocator tuning only.
void hffsim_keep_large_allocations(void);

#endif
