/*
 * console_clients.c: App clients, App client settings, Domain name, UI
 * customization, Resource servers, Identity providers and Attribute
 * mapping of a pool. A placeholder of console-core (issue 12): its owner
 * replaces this file with the pages.
 */
#include "config.h"

#include "ui/console.h"

const struct console_page console_client_pages[] = {
	{ 0, NULL, NULL }
};
