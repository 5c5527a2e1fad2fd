// The system zlib (package zlib1g-dev on Debian/Ubuntu), used by the Datasets module to read
// and write gzipped IDX and CSV files.
#ifndef HFFSIM_CZLIB_SHIM_H
#define HFFSIM_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 and deflateInit2 are function-like macros (they pass ZLIB_VERSION and
// sizeof(z_stream) for a version check), which Swift cannot import; these wrappers can be.
static inline int hffsim_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

static inline int hffsim_deflateInit2(z_streamp strm, int level, int method, int windowBits,
                                      int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}
#endif
