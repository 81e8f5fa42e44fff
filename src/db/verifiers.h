/*
 * verifiers.h: seal the SRP verifiers (users' and devices') stored in
 * plain before they were sealed (a start-up step after the migrations;
 * blocking).
 */
#ifndef VERIFIERS_H
#define VERIFIERS_H

#include <libpq-fe.h>

#include "util.h"

int	verifiers_seal_all(PGconn *, char **) MUST_CHECK;

#endif
