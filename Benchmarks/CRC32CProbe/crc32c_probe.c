// crc32c_probe: see include/crc32c_probe.h.
#include "crc32c_probe.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

int crc32c_probe_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
uint64_t crc32c_probe_instruction(const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    uint64_t a = 0, b = 0, c = 0;
    for (size_t i = 0; i + 24 <= length; i += 24) {
        uint64_t x, y, z;
        memcpy(&x, p + i, 8);
        memcpy(&y, p + i + 8, 8);
        memcpy(&z, p + i + 16, 8);
        a = _mm_crc32_u64(a, x);
        b = _mm_crc32_u64(b, y);
        c = _mm_crc32_u64(c, z);
    }
    return a ^ b ^ c;
}
#else
int crc32c_probe_available(void) { return 0; }
uint64_t crc32c_probe_instruction(const void *bytes, size_t length) { (void)bytes; (void)length; return 0; }
#endif
