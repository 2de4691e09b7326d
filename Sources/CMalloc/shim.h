// glibc's malloc tuning (mallopt, malloc_trim), declared in <malloc.h>, which Swift's Glibc
// module leaves out.
#ifndef CCGD_CMALLOC_SHIM_H
#define CCGD_CMALLOC_SHIM_H
#include <malloc.h>
#endif
