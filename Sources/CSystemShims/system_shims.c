/* CSystemShims: O_DIRECT is only defined by glibc under _GNU_SOURCE, which Swift's Glibc lacks. */
#define _GNU_SOURCE
#include <fcntl.h>
#include "system_shims.h"

int system_shims_o_direct(void) { return O_DIRECT; }
