#include "ckernels.h"
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

void hffsim_keep_large_allocations(void) {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define HFFSIM_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

static int vnni_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vnni");
}

/// MR rows x 16 columns: per quad of k, one load each of the high and low digits, MR broadcasts
/// of 4 bytes of A, 2 MR vpdpbusd (64 multiply-adds each); then 256 H + L, scaled, stored.
HFFSIM_VNNI static inline __attribute__((always_inline))
void kernel(const int mr, int k4, const uint8_t *a, long lda, const int8_t *b, __m512 colScale,
            __mmask16 mask, float *out, long ldo) {
    __m512i hi[12], lo[12];
#pragma unroll
    for (int r = 0; r < mr; r++) { hi[r] = _mm512_setzero_si512(); lo[r] = _mm512_setzero_si512(); }
    for (int q = 0; q < k4; q++) {
        const __m512i bh = _mm512_loadu_si512((const void *)(b + q * 128));
        const __m512i bl = _mm512_loadu_si512((const void *)(b + q * 128 + 64));
#pragma unroll
        for (int r = 0; r < mr; r++) {
            int32_t word;
            memcpy(&word, a + r * lda + 4 * q, 4);
            const __m512i av = _mm512_set1_epi32(word);
            hi[r] = _mm512_dpbusd_epi32(hi[r], av, bh);
            lo[r] = _mm512_dpbusd_epi32(lo[r], av, bl);
        }
    }
    const __m512 k256 = _mm512_set1_ps(256.0f);
#pragma unroll
    for (int r = 0; r < mr; r++) {
        __m512 v = _mm512_fmadd_ps(_mm512_cvtepi32_ps(hi[r]), k256, _mm512_cvtepi32_ps(lo[r]));
        _mm512_mask_storeu_ps(out + r * ldo, mask, _mm512_mul_ps(v, colScale));
    }
}

HFFSIM_VNNI
static void product_vnni(int m, int n, int k4, const uint8_t *a, long lda, const int8_t *bp,
                         const float *scale, float factor, float *out, long ldo) {
    const int panels = (n + 15) / 16;
    for (int p = 0; p < panels; p++) {
        const int width = n - 16 * p < 16 ? n - 16 * p : 16;
        const __mmask16 mask = (__mmask16)((1u << width) - 1u);
        const __m512 colScale = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, scale + 16 * p), _mm512_set1_ps(factor));
        const int8_t *b = bp + (long)p * k4 * 128;
        float *o = out + 16 * p;
        int i = 0;
        for (; i + 12 <= m; i += 12) kernel(12, k4, a + i * lda, lda, b, colScale, mask, o + i * ldo, ldo);
        const uint8_t *ar = a + i * lda;
        float *orow = o + i * ldo;
        switch (m - i) {
        case 11: kernel(11, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 10: kernel(10, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 9: kernel(9, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 8: kernel(8, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 7: kernel(7, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 6: kernel(6, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 5: kernel(5, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 4: kernel(4, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 3: kernel(3, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 2: kernel(2, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        case 1: kernel(1, k4, ar, lda, b, colScale, mask, orow, ldo); break;
        default: break;
        }
    }
}

#define HFFSIM_AVX2 __attribute__((target("avx2,fma")))

static int avx2_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int hffsim_u8s8_available(void) { return vnni_available() ? 2 : avx2_available() ? 1 : 0; }

int hffsim_sgemm_avx2_preferred(void) { return avx2_available() && !__builtin_cpu_supports("avx512f"); }

/// dst[r ldd + c] = src[c ld + r] for r, c in 0 ..< 8: eight rows of eight floats transposed in
/// registers (unpack, shuffle, permute). A copy: the same values, so the same bits.
HFFSIM_AVX2 void hffsim_transpose8x8_avx2(const float *src, long ld, float *dst, long ldd) {
    __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + ld), r2 = _mm256_loadu_ps(src + 2 * ld),
           r3 = _mm256_loadu_ps(src + 3 * ld), r4 = _mm256_loadu_ps(src + 4 * ld), r5 = _mm256_loadu_ps(src + 5 * ld),
           r6 = _mm256_loadu_ps(src + 6 * ld), r7 = _mm256_loadu_ps(src + 7 * ld);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
           t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
           t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE), u2 = _mm256_shuffle_ps(t1, t3, 0x44),
           u3 = _mm256_shuffle_ps(t1, t3, 0xEE), u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
           u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
}

/// Rows r0 ..< r0 + R, columns c0 ..< c0 + 8 C of the 8 x 32 block: R x C accumulators, per k
/// C loads of B and R broadcasts of A.
#define HFFSIM_PASS(R, C)                                                                          \
HFFSIM_AVX2 static inline __attribute__((always_inline))                                           \
void pass_##R##x##C(int kb, const float *a, const float *b, float *c, long ldc, float alpha, float beta, int r0, int c0) { \
    __m256 acc[R][C];                                                                              \
    for (int r = 0; r < R; r++) for (int h = 0; h < C; h++) acc[r][h] = _mm256_setzero_ps();       \
    const float *pa = a + r0, *pb = b + c0;                                                        \
    for (int k = 0; k < kb; k++) {                                                                 \
        __m256 bv[C];                                                                              \
        for (int h = 0; h < C; h++) bv[h] = _mm256_loadu_ps(pb + 8 * h);                          \
        for (int r = 0; r < R; r++) {                                                              \
            const __m256 av = _mm256_broadcast_ss(pa + r);                                         \
            for (int h = 0; h < C; h++) acc[r][h] = _mm256_fmadd_ps(av, bv[h], acc[r][h]);         \
        }                                                                                          \
        pa += 8;                                                                                   \
        pb += 32;                                                                                  \
    }                                                                                              \
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);                            \
    for (int r = 0; r < R; r++) {                                                                  \
        float *row = c + (long)(r0 + r) * ldc + c0;                                                \
        for (int h = 0; h < C; h++) {                                                              \
            __m256 v = acc[r][h];                                                                  \
            if (alpha != 1) v = _mm256_mul_ps(v, va);                                              \
            if (beta != 0) v = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8 * h), v);               \
            _mm256_storeu_ps(row + 8 * h, v);                                                      \
        }                                                                                          \
    }                                                                                              \
}
HFFSIM_PASS(6, 2)
HFFSIM_PASS(2, 4)

/// The float GEMM's 8 x 32 register block (`GEMM.microKernel`) on AVX2, which has 16 vector
/// registers: the Swift kernel's 16 SIMD16 accumulators are 32 of them there and spill. Three
/// passes instead: rows 0-5 x columns 0-15 and 16-31 (12 accumulators each, enough independent
/// chains to cover the fused multiply-add's latency), then rows 6-7 x all 32 columns (8).
/// Every element is the same chain of fused multiply-adds over k in order, then times alpha
/// (when not 1) and plus beta C (one fused multiply-add, when beta is not 0), as in the Swift
/// kernel: the same bits on any CPU.
HFFSIM_AVX2 void hffsim_sgemm_8x32_avx2(int kb, const float *a, const float *b, float *c, long ldc, float alpha, float beta) {
    pass_6x2(kb, a, b, c, ldc, alpha, beta, 0, 0);
    pass_6x2(kb, a, b, c, ldc, alpha, beta, 0, 16);
    pass_2x4(kb, a, b, c, ldc, alpha, beta, 6, 0);
}

/// Two rows x 8 columns (half a panel) on AVX2: per quad of k, the 8 columns' 4 digits of each
/// kind widened to 16 bits (two registers of 4 columns x 4 rows each), the row's 4 input bytes
/// widened and repeated, and vpmaddwd: per column two exact int32 sums (rows 0-1 and 2-3 of the
/// quad), added pairwise at the end. The sums are the reference loop's, exactly; the epilogue is
/// the VNNI kernel's (256 H + L in one rounding, times scale x factor), so every CPU with either
/// kernel writes the same bits.
HFFSIM_AVX2 static inline __attribute__((always_inline))
void kernel_avx2(const int mr, int k4, const uint8_t *a, long lda, const int8_t *b, __m256 colScale,
                 __m256i mask, float *out, long ldo) {
    __m256i h0[2], h1[2], l0[2], l1[2];
    for (int r = 0; r < mr; r++) { h0[r] = h1[r] = l0[r] = l1[r] = _mm256_setzero_si256(); }
    for (int q = 0; q < k4; q++) {
        const int8_t *bq = b + q * 128;
        const __m256i bh0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)bq));
        const __m256i bh1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(bq + 16)));
        const __m256i bl0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(bq + 64)));
        const __m256i bl1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(bq + 80)));
        for (int r = 0; r < mr; r++) {
            const uint8_t *x = a + r * lda + 4 * q;
            const __m256i av = _mm256_set1_epi64x((long long)((uint64_t)x[0] | (uint64_t)x[1] << 16 |
                                                              (uint64_t)x[2] << 32 | (uint64_t)x[3] << 48));
            h0[r] = _mm256_add_epi32(h0[r], _mm256_madd_epi16(av, bh0));
            h1[r] = _mm256_add_epi32(h1[r], _mm256_madd_epi16(av, bh1));
            l0[r] = _mm256_add_epi32(l0[r], _mm256_madd_epi16(av, bl0));
            l1[r] = _mm256_add_epi32(l1[r], _mm256_madd_epi16(av, bl1));
        }
    }
    const __m256 k256 = _mm256_set1_ps(256.0f);
    for (int r = 0; r < mr; r++) {
        /* hadd within 128-bit lanes gives columns 0 1 4 5 | 2 3 6 7; the permute restores 0..7. */
        const __m256i hs = _mm256_permute4x64_epi64(_mm256_hadd_epi32(h0[r], h1[r]), 0xD8);
        const __m256i ls = _mm256_permute4x64_epi64(_mm256_hadd_epi32(l0[r], l1[r]), 0xD8);
        const __m256 v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(hs), k256, _mm256_cvtepi32_ps(ls));
        _mm256_maskstore_ps(out + r * ldo, mask, _mm256_mul_ps(v, colScale));
    }
}

HFFSIM_AVX2
static void product_avx2(int m, int n, int k4, const uint8_t *a, long lda, const int8_t *bp,
                         const float *scale, float factor, float *out, long ldo) {
    const int panels = (n + 15) / 16;
    for (int p = 0; p < panels; p++) {
        for (int half = 0; half < 2; half++) {
            const int first = 16 * p + 8 * half;
            if (first >= n) break;
            const int width = n - first < 8 ? n - first : 8;
            int lanes[8];
            float s[8];
            for (int j = 0; j < 8; j++) {
                lanes[j] = j < width ? -1 : 0;
                s[j] = j < width ? scale[first + j] * factor : 0.0f;
            }
            const __m256i mask = _mm256_loadu_si256((const __m256i *)lanes);
            const __m256 colScale = _mm256_loadu_ps(s);
            /* Half h reads bytes 32h..32h+31 of each kind: columns 8h..8h+7 x 4 rows. */
            const int8_t *b = bp + (long)p * k4 * 128 + 32 * half;
            int i = 0;
            for (; i + 2 <= m; i += 2) kernel_avx2(2, k4, a + i * lda, lda, b, colScale, mask, out + i * ldo + first, ldo);
            if (i < m) kernel_avx2(1, k4, a + i * lda, lda, b, colScale, mask, out + i * ldo + first, ldo);
        }
    }
}

#else

int hffsim_u8s8_available(void) { return 0; }
int hffsim_sgemm_avx2_preferred(void) { return 0; }
void hffsim_transpose8x8_avx2(const float *src, long ld, float *dst, long ldd) {
    for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) dst[r * ldd + c] = src[c * ld + r];
}
void hffsim_sgemm_8x32_avx2(int kb, const float *a, const float *b, float *c, long ldc, float alpha, float beta) {
    (void)kb; (void)a; (void)b; (void)c; (void)ldc; (void)alpha; (void)beta;
}

#endif

/// Portable reference (slow): the same exact sums, for CPUs without AVX-512 VNNI or AVX2.
void hffsim_u8s8_product_reference(int m, int n, int k4, const uint8_t *a, long lda, const int8_t *bp,
                             const float *scale, float factor, float *out, long ldo) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            const int p = j / 16, c = j % 16;
            int32_t h = 0, l = 0;
            for (int q = 0; q < k4; q++)
                for (int r = 0; r < 4; r++) {
                    const int32_t x = a[i * lda + 4 * q + r];
                    h += x * bp[(((long)p * k4 + q) * 32 + c) * 4 + r];
                    l += x * bp[(((long)p * k4 + q) * 32 + 16 + c) * 4 + r];
                }
            out[i * ldo + j] = ((float)h * 256.0f + (float)l) * (scale[j] * factor);
        }
}

void hffsim_u8s8_product(int m, int n, int k4, const uint8_t *a, long lda, const int8_t *bp,
                         const float *scale, float factor, float *out, long ldo) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    static int cached = -1;  /* written once by whichever thread asks first; every writer agrees */
    int available = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (available < 0) {
        available = hffsim_u8s8_available();
        __atomic_store_n(&cached, available, __ATOMIC_RELAXED);
    }
    if (available == 2) { product_vnni(m, n, k4, a, lda, bp, scale, factor, out, ldo); return; }
    if (available == 1) { product_avx2(m, n, k4, a, lda, bp, scale, factor, out, ldo); return; }
#endif
    hffsim_u8s8_product_reference(m, n, k4, a, lda, bp, scale, factor, out, ldo);
}
