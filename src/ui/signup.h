/*
 * signup.h: the hosted UI's self-service pages (ui/signup.c): sign-up,
 * its confirmation, and the password reset.
 */
#ifndef SIGNUP_H
#define SIGNUP_H

#include <jansson.h>

struct domain_req;

/* GET and POST /signup: the sign-up form. */
void	 signup_get(struct domain_req *);
void	 signup_post(struct domain_req *);
/*
 * GET /confirmUser: the code form, or with confirmation_code the target
 * of a CONFIRM_WITH_LINK message; POST: the code, or a new one sent.
 */
void	 signup_confirm_get(struct domain_req *);
void	 signup_confirm_post(struct domain_req *);
/* GET and POST /forgotPassword: a reset code sent to the user. */
void	 signup_forgot_get(struct domain_req *);
void	 signup_forgot_post(struct domain_req *);
/* GET and POST /confirmForgotPassword: the code and a new password. */
void	 signup_reset_get(struct domain_req *);
void	 signup_reset_post(struct domain_req *);

/*
 * What the sign-in page shows of these pages: the links to them (to
 * the sign-up page only when the pool lets users sign up) and the
 * notice a finished flow left in the query.
 */
void	 signup_login_context(struct domain_req *, json_t *);

#endif
