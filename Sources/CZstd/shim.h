/* CZstd: libzstd (Debian's libzstd-dev), used to compress full-page images in the WAL. */
#include <zstd.h>
