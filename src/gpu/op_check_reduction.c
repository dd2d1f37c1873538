/* op_check_reduction.c — op-check cases of the token-reduction kernel group (see op_check_internal.h). */
#include "gpu/op_check_internal.h"

const op_case *op_check_cases_reduction(int *count) {
    *count = 0;
    return 0;
}
