/* CCRC32C: CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78) with the SSE4.2
 * `crc32` instruction.
 *
 * The instruction has a latency of 3 cycles but a throughput of 1 per cycle, so one dependent
 * chain of crc32q runs at a third of the possible speed. crc32c_hw_update_3way splits a long
 * buffer into three equal lanes, runs three independent chains side by side, then merges them:
 * CRC is linear, so crc(A || B) = shift(crc(A), |B|) XOR crc_from_zero(B), where shift multiplies
 * by x^(8*|B|) modulo the polynomial. Lanes have fixed sizes, so the two shift factors are
 * computed once, when the library is loaded.
 *
 * No compiler flags: __attribute__((target("sse4.2"))) enables the instruction for these
 * functions only, and callers check crc32c_hw_available() (CPUID) before calling them.
 * Callers do the initial and final inversion (~); these functions advance a raw CRC state. */
#include "crc32c_hw.h"
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

/* Bytes per lane in one round of the three-way loop. Each round ends with a merge of two bitwise
 * multiplications, a few hundred cycles that the lanes' crc32q cannot overlap, so rounds should be
 * long: an 8 KiB page is one medium round and a short one, not ten short ones. */
#define LONG_LANE_BYTES 8192
#define MEDIUM_LANE_BYTES 2048
#define SHORT_LANE_BYTES 256

int crc32c_hw_available(void) { return __builtin_cpu_supports("sse4.2"); }

__attribute__((target("sse4.2")))
uint32_t crc32c_hw_update(uint32_t crc, const void *buf, size_t len) {
    const unsigned char *p = buf;
    uint64_t c = crc;
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8); /* unaligned load; compiles to one mov */
        c = _mm_crc32_u64(c, v);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len > 0) {
        c32 = _mm_crc32_u8(c32, *p);
        p += 1;
        len -= 1;
    }
    return c32;
}

/* a * b modulo P, both in reflected bit order (bit 31 is the coefficient of x^0). */
static uint32_t gf2_multiply(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (int i = 0; i < 32; i++) {
        if (a & 0x80000000u) product ^= b;
        a <<= 1;
        b = (b & 1) ? (b >> 1) ^ 0x82F63B78u : (b >> 1);
    }
    return product;
}

/* x^(8n) mod P: multiplying a CRC state by it appends n zero bytes. */
static uint32_t xpow8n(size_t n) {
    uint32_t result = 0x80000000u; /* x^0 */
    uint32_t square = 0x00800000u; /* x^8 */
    while (n) {
        if (n & 1) result = gf2_multiply(result, square);
        square = gf2_multiply(square, square);
        n >>= 1;
    }
    return result;
}

/* x^(8*lane) mod P for each lane size, set before main() runs. */
static uint32_t long_lane_shift, medium_lane_shift, short_lane_shift;

__attribute__((constructor))
static void compute_lane_shifts(void) {
    long_lane_shift = xpow8n(LONG_LANE_BYTES);
    medium_lane_shift = xpow8n(MEDIUM_LANE_BYTES);
    short_lane_shift = xpow8n(SHORT_LANE_BYTES);
}

/* One round: three lanes of `lane` bytes each, merged. Returns the state after 3*lane bytes. */
__attribute__((target("sse4.2")))
static uint32_t three_lanes(uint32_t crc, const unsigned char *p, size_t lane, uint32_t shift) {
    uint64_t c0 = crc, c1 = 0, c2 = 0;
    const unsigned char *p1 = p + lane, *p2 = p + 2 * lane;
    for (size_t i = 0; i < lane; i += 8) {
        uint64_t v0, v1, v2;
        memcpy(&v0, p + i, 8);
        memcpy(&v1, p1 + i, 8);
        memcpy(&v2, p2 + i, 8);
        c0 = _mm_crc32_u64(c0, v0);
        c1 = _mm_crc32_u64(c1, v1);
        c2 = _mm_crc32_u64(c2, v2);
    }
    uint32_t merged = gf2_multiply((uint32_t)c0, shift) ^ (uint32_t)c1;
    return gf2_multiply(merged, shift) ^ (uint32_t)c2;
}

__attribute__((target("sse4.2")))
uint32_t crc32c_hw_update_3way(uint32_t crc, const void *buf, size_t len) {
    const unsigned char *p = buf;
    while (len >= 3 * LONG_LANE_BYTES) {
        crc = three_lanes(crc, p, LONG_LANE_BYTES, long_lane_shift);
        p += 3 * LONG_LANE_BYTES;
        len -= 3 * LONG_LANE_BYTES;
    }
    while (len >= 3 * MEDIUM_LANE_BYTES) {
        crc = three_lanes(crc, p, MEDIUM_LANE_BYTES, medium_lane_shift);
        p += 3 * MEDIUM_LANE_BYTES;
        len -= 3 * MEDIUM_LANE_BYTES;
    }
    while (len >= 3 * SHORT_LANE_BYTES) {
        crc = three_lanes(crc, p, SHORT_LANE_BYTES, short_lane_shift);
        p += 3 * SHORT_LANE_BYTES;
        len -= 3 * SHORT_LANE_BYTES;
    }
    return crc32c_hw_update(crc, p, len);
}

#else /* not x86_64: no hardware path; Swift's slicing-by-8 does the work. */
int crc32c_hw_available(void) { return 0; }
uint32_t crc32c_hw_update(uint32_t crc, const void *buf, size_t len) { (void)buf; (void)len; return crc; }
uint32_t crc32c_hw_update_3way(uint32_t crc, const void *buf, size_t len) { (void)buf; (void)len; return crc; }
#endif
