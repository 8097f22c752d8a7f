#ifndef CBUILDSUPPORT_H
#define CBUILDSUPPORT_H

/// The commit the binary was built from ("unknown" unless bin/package or bin/tsdeploy
/// passed -DTSDEPLOY_COMMIT).
const char *tsdeploy_build_commit(void);

#endif
