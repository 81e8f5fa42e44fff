/*
 * console_sections.h: the admin console's pool settings sections
 * (ui/console_sections.c) under /console/pools/<id>/<section>:
 * Attributes, Policies, MFA and verifications, Message customizations,
 * Tags, Devices and Triggers, each a form over DescribeUserPool and the
 * operation that changes its part.
 */
#ifndef UI_CONSOLE_SECTIONS_H
#define UI_CONSOLE_SECTIONS_H

#include "ui/console.h"

/* The sections' pages, ended by a { 0, NULL, NULL } row. */
extern const struct console_page	console_section_pages[];

#endif
