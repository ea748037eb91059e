/* The few process-level helpers every compiler module may use. */
#ifndef NRN_UTIL_H
#define NRN_UTIL_H

_Noreturn void nrn_fatal_oom(void);
_Noreturn void nrn_unreachable_at(const char *file, int line);
#define NRN_UNREACHABLE() nrn_unreachable_at(__FILE__, __LINE__)

/* Edit distance with a cap, for "did you mean" suggestions. */
int nrn_edit_distance(const char *a, const char *b);

#endif
