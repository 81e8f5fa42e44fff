/*
 * mfa_pages.h: the hosted UI's authenticator-app set-up (MFA_SETUP).
 */
#ifndef MFA_PAGES_H
#define MFA_PAGES_H

struct domain_req;

/* Show the set-up page for the challenge's session and user. */
void	 mfa_pages_setup(struct domain_req *, const char *, const char *);
/* The set-up page's POST: verify the code, then answer MFA_SETUP. */
void	 mfa_pages_setup_answer(struct domain_req *);

#endif
