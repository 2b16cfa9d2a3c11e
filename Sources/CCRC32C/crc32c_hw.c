#include "crc32c_hw.h"
