// SwiftPM needs one source file in a C target; this one checks the table's layout at build time.
#include <stddef.h>
#include "ccgd_plugin.h"

_Static_assert(offsetof(struct ccgd_plugin_v1, abi_version) == 0, "abi_version must come first");
_Static_assert(offsetof(struct ccgd_plugin_v1, struct_size) == 4, "struct_size must follow abi_version");
_Static_assert(offsetof(struct ccgd_plugin_v1, name) == 8, "the pointers start at byte 8");
_Static_assert(sizeof(struct ccgd_plugin_v1) == 8 + 4 * sizeof(void *), "version 1 has four pointers after the header");
