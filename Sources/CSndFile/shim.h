#ifndef MIADI_CSNDFILE_SHIM_H
#define MIADI_CSNDFILE_SHIM_H
#include <sndfile.h>
#endif
