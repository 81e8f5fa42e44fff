/*
 * console_wizard.c: the classic wizard (Name ... Review, Review defaults /
 * Step through settings, Create pool) and the new wizard
 * (/console/create?wizard=new). A placeholder of console-core (issue 12):
 * its owner replaces this file with the pages.
 */
#include "config.h"

#include "ui/console.h"

const struct console_page console_wizard_pages[] = {
	{ 0, NULL, NULL }
};
