// Why C: these run on every 10 ms of every call (twice: the bridge's VAD and the echo's) and on
// every resampled sample the agent says. Swift's checked conversions (`Int16(Int32(x))` traps
// on overflow) keep its loops scalar; C's plain loops vectorize, and their integer sums are
// exact, so they give the same bits as the Swift they replace.
#include "miadi_dsp.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void miadi_pcm16_sums(const int16_t *x, long count, int64_t *sum, int64_t *squares) {
    int64_t s = 0, q = 0;
    long i = 0;
#if defined(__SSE2__)
    // Eight samples a step: `pmaddwd` adds neighbours' products into 32-bit lanes. With x
    // itself, x0² + x1² ≤ 2^31, read unsigned and widened to 64 bits; with ones, x0 + x1 ≤ 2^16
    // in magnitude, so 32-bit sums are exact for 4,096 steps and are widened after each run.
    const __m128i ones = _mm_set1_epi16(1), zero = _mm_setzero_si128();
    while (i + 8 <= count) {
        __m128i s32 = zero, q64 = zero;
        for (long steps = 0; steps < 4096 && i + 8 <= count; steps++, i += 8) {
            __m128i v = _mm_loadu_si128((const __m128i *)(x + i));
            s32 = _mm_add_epi32(s32, _mm_madd_epi16(v, ones));
            __m128i squared = _mm_madd_epi16(v, v);
            q64 = _mm_add_epi64(q64, _mm_unpacklo_epi32(squared, zero));
            q64 = _mm_add_epi64(q64, _mm_unpackhi_epi32(squared, zero));
        }
        int32_t lanes[4];
        int64_t wide[2];
        _mm_storeu_si128((__m128i *)lanes, s32);
        _mm_storeu_si128((__m128i *)wide, q64);
        s += (int64_t)lanes[0] + lanes[1] + lanes[2] + lanes[3];
        q += wide[0] + wide[1];
    }
#endif
    for (; i < count; i++) {
        int32_t v = x[i];
        s += v;
        q += (int64_t)(uint32_t)(v * v); // x² ≤ 2^30
    }
    *sum += s;
    *squares += q;
}

void miadi_quantize(const float *x, long count, int16_t *out) {
    for (long i = 0; i < count; i++) {
        float scaled = x[i] * 32768.0f;
        scaled = scaled == scaled ? scaled : 0.0f; // NaN: silence
        scaled = scaled < -32768.0f ? -32768.0f : scaled;
        scaled = scaled > 32767.0f ? 32767.0f : scaled;
        // In double precision `scaled ± 0.5` is exact, so truncating it rounds half away from zero.
        double d = (double)scaled;
        out[i] = (int16_t)(int32_t)(d + (d < 0 ? -0.5 : 0.5));
    }
}
