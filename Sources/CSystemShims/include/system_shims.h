/* CSystemShims: constants and calls that Swift's Glibc module hides (they need _GNU_SOURCE). */
#ifndef MINIPG_SYSTEM_SHIMS_H
#define MINIPG_SYSTEM_SHIMS_H
int system_shims_o_direct(void);
#endif
