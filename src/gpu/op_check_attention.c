/* op_check_attention.c — op-check cases of the attention kernel group (see op_check_internal.h). */
#include "gpu/op_check_internal.h"

const op_case *op_check_cases_attention(int *count) {
    *count = 0;
    return 0;
}
