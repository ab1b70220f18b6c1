// Why C: Swift compiles for baseline x86-64, where an eight-lane float vector is two SSE
// registers. The resampler's dot products were a sixth of the lab's time, and AVX does each in
// half the instructions; only C can compile one function for AVX and choose it at run time.
// No fused multiply-add anywhere (AVX without FMA, and contraction off), so every path rounds
// alike.
#pragma STDC FP_CONTRACT OFF

#include "miadi_dsp.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define MIADI_X86 1
#endif

/// Lanes pairwise, in the one order every path uses.
static inline float lanes_sum(const float t[8]) {
    return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
}

/// An output whose window runs off the buffer (the first outputs of a stream, or its flush).
static float edge_output(const float *row, long taps, const float *x, long x_count, long newest) {
    float acc = 0;
    long oldest = newest - taps + 1;
    for (long j = 0; j < taps; j++) {
        long i = oldest + j;
        if (i >= 0 && i < x_count) acc += row[j] * x[i];
    }
    return acc;
}

typedef float (*dot_fn)(const float *h, const float *x, long taps);

/// The dot product of one output whose window lies wholly in the buffer, portable code: eight
/// lanes in four running sums, the lanes pairwise, then the leftover taps.
static inline __attribute__((always_inline)) float dot_portable(const float *h, const float *xp, long taps) {
    float s0[8] = {0}, s1[8] = {0}, s2[8] = {0}, s3[8] = {0};
    long j = 0;
    for (; j + 32 <= taps; j += 32) {
        for (int l = 0; l < 8; l++) {
            s0[l] += h[j + l] * xp[j + l];
            s1[l] += h[j + 8 + l] * xp[j + 8 + l];
            s2[l] += h[j + 16 + l] * xp[j + 16 + l];
            s3[l] += h[j + 24 + l] * xp[j + 24 + l];
        }
    }
    if (j + 16 <= taps) {
        for (int l = 0; l < 8; l++) {
            s0[l] += h[j + l] * xp[j + l];
            s1[l] += h[j + 8 + l] * xp[j + 8 + l];
        }
        j += 16;
    }
    for (; j + 8 <= taps; j += 8) {
        for (int l = 0; l < 8; l++) s2[l] += h[j + l] * xp[j + l];
    }
    float t[8];
    for (int l = 0; l < 8; l++) t[l] = (s0[l] + s1[l]) + (s2[l] + s3[l]);
    float acc = lanes_sum(t);
    for (; j < taps; j++) acc += h[j] * xp[j];
    return acc;
}

/// Steps through the outputs: phase and newest input, the dot product or the edge.
static inline __attribute__((always_inline)) void drive(dot_fn dot, const float *rows, long taps, const float *x, long x_count,
                                                        long newest, long phase, long step_whole, long step_phase, long up,
                                                        long count, float *out) {
    for (long k = 0; k < count; k++) {
        const float *h = rows + phase * taps;
        long oldest = newest - taps + 1;
        out[k] = oldest >= 0 && newest < x_count ? dot(h, x + oldest, taps) : edge_output(h, taps, x, x_count, newest);
        newest += step_whole;
        phase += step_phase;
        if (phase >= up) { phase -= up; newest += 1; }
    }
}

void miadi_polyphase_portable(const float *rows, long taps, const float *x, long x_count,
                              long newest, long phase, long step_whole, long step_phase, long up,
                              long count, float *out) {
    drive(dot_portable, rows, taps, x, x_count, newest, phase, step_whole, step_phase, up, count, out);
}

#ifdef MIADI_X86
/// The same sums as `dot_portable`, eight lanes to a 256-bit register.
__attribute__((target("avx")))
static inline __attribute__((always_inline)) float dot_avx(const float *h, const float *xp, long taps) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    long j = 0;
    for (; j + 32 <= taps; j += 32) {
        s0 = _mm256_add_ps(s0, _mm256_mul_ps(_mm256_loadu_ps(h + j), _mm256_loadu_ps(xp + j)));
        s1 = _mm256_add_ps(s1, _mm256_mul_ps(_mm256_loadu_ps(h + j + 8), _mm256_loadu_ps(xp + j + 8)));
        s2 = _mm256_add_ps(s2, _mm256_mul_ps(_mm256_loadu_ps(h + j + 16), _mm256_loadu_ps(xp + j + 16)));
        s3 = _mm256_add_ps(s3, _mm256_mul_ps(_mm256_loadu_ps(h + j + 24), _mm256_loadu_ps(xp + j + 24)));
    }
    if (j + 16 <= taps) {
        s0 = _mm256_add_ps(s0, _mm256_mul_ps(_mm256_loadu_ps(h + j), _mm256_loadu_ps(xp + j)));
        s1 = _mm256_add_ps(s1, _mm256_mul_ps(_mm256_loadu_ps(h + j + 8), _mm256_loadu_ps(xp + j + 8)));
        j += 16;
    }
    for (; j + 8 <= taps; j += 8) {
        s2 = _mm256_add_ps(s2, _mm256_mul_ps(_mm256_loadu_ps(h + j), _mm256_loadu_ps(xp + j)));
    }
    float t[8];
    _mm256_storeu_ps(t, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    float acc = lanes_sum(t);
    for (; j < taps; j++) acc += h[j] * xp[j];
    return acc;
}

__attribute__((target("avx")))
static void run_avx(const float *rows, long taps, const float *x, long x_count,
                    long newest, long phase, long step_whole, long step_phase, long up,
                    long count, float *out) {
    drive(dot_avx, rows, taps, x, x_count, newest, phase, step_whole, step_phase, up, count, out);
}
#endif

int miadi_polyphase_uses_avx(void) {
#ifdef MIADI_X86
    return __builtin_cpu_supports("avx") ? 1 : 0;
#else
    return 0;
#endif
}

void miadi_polyphase(const float *rows, long taps, const float *x, long x_count,
                     long newest, long phase, long step_whole, long step_phase, long up,
                     long count, float *out) {
#ifdef MIADI_X86
    if (miadi_polyphase_uses_avx()) {
        run_avx(rows, taps, x, x_count, newest, phase, step_whole, step_phase, up, count, out);
        return;
    }
#endif
    drive(dot_portable, rows, taps, x, x_count, newest, phase, step_whole, step_phase, up, count, out);
}
