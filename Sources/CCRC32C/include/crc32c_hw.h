/* CCRC32C: CRC-32C (Castagnoli) with the SSE4.2 crc32 instruction. Callers do the initial and
 * final inversion (~); these functions only advance a raw CRC state over bytes. */
#ifndef MINIPG_CRC32C_HW_H
#define MINIPG_CRC32C_HW_H
#include <stddef.h>
#include <stdint.h>
int crc32c_hw_available(void);
uint32_t crc32c_hw_update(uint32_t crc, const void *buf, size_t len);
uint32_t crc32c_hw_update_3way(uint32_t crc, const void *buf, size_t len);
#endif
