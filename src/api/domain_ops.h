/*
 * domain_ops.h: what the domain operations share outside the API (the
 * demo pool's domain gets the same settings).
 */
#ifndef DOMAIN_OPS_H
#define DOMAIN_OPS_H

#include <jansson.h>

/*
 * The stored settings of CreateUserPoolDomain's input (validated by its
 * shape): ManagedLoginVersion (default 1), Version (now) and the
 * CustomDomainConfig's CertificateArn; a new reference.
 */
json_t	*domain_ops_config(json_t *);

#endif
