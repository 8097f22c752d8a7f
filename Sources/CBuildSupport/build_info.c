#include "CBuildSupport.h"

#ifndef TSDEPLOY_COMMIT
#define TSDEPLOY_COMMIT "unknown"
#endif

const char *tsdeploy_build_commit(void) { return TSDEPLOY_COMMIT; }
