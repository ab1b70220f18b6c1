#ifndef MIADI_DSP_H
#define MIADI_DSP_H

#include <stdint.h>

/// The polyphase FIR's inner loop: `count` outputs of a rational resampler.
///
/// `rows` holds the filter's phases, `taps` coefficients each, every row stored oldest input
/// first. Output k reads the `taps` inputs ending at `newest` (an index into `x`, which holds
/// `x_count` samples) with the row of `phase`; then `newest` advances by `step_whole` and
/// `phase` by `step_phase`, carrying into `newest` at `up`. Inputs outside `x` count as zero.
///
/// Every output is summed in one fixed order (eight lanes in four running sums, then the lanes
/// pairwise, then the leftover taps), whichever instructions run it, so results are the same
/// bits on every x86-64 machine with or without AVX, and on other architectures.
void miadi_polyphase(const float *rows, long taps,
                     const float *x, long x_count,
                     long newest, long phase, long step_whole, long step_phase, long up,
                     long count, float *out);

/// The same with the portable code only (for the test that both paths agree).
void miadi_polyphase_portable(const float *rows, long taps,
                              const float *x, long x_count,
                              long newest, long phase, long step_whole, long step_phase, long up,
                              long count, float *out);

/// 1 when `miadi_polyphase` runs with 256-bit AVX instructions on this machine.
int miadi_polyphase_uses_avx(void);

/// Adds the sum of `count` 16-bit samples to `*sum` and the sum of their squares to
/// `*squares`, exactly (64-bit integers: the VAD's frame energy, `FrameEnergy`).
void miadi_pcm16_sums(const int16_t *x, long count, int64_t *sum, int64_t *squares);

/// `count` float samples (full scale ±1) to 16-bit: clipped, then rounded half away from zero
/// (`PCMBuffer.quantize`, the same bits for every input that is not NaN; NaN becomes 0).
void miadi_quantize(const float *x, long count, int16_t *out);

#endif
