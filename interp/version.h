/* version.h: rdn's version, shown by --version and recorded in every manifest. */
#ifndef RDN_VERSION_H
#define RDN_VERSION_H
#ifndef RDN_VERSION
#define RDN_VERSION "0.2.0"
#endif
#endif
