// crc32c_probe: the crc32q instruction alone, as fast as the CPU issues it — the ceiling the
// real CRC32C (Sources/CCRC32C, three lanes merged by carry-less multiplication) is measured
// against in the same benchmark run.
#ifndef CRC32C_PROBE_H
#define CRC32C_PROBE_H

#include <stddef.h>
#include <stdint.h>

/// 1 if the CPU has SSE4.2's crc32 instruction.
int crc32c_probe_available(void);

/// Runs crc32q over `length` bytes (a multiple of 24) in three independent chains and xors them:
/// not a checksum of anything, just the instruction's throughput (its 3-cycle latency hidden).
uint64_t crc32c_probe_instruction(const void *bytes, size_t length);

#endif
