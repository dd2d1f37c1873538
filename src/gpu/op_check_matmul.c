/* op_check_matmul.c — op-check cases of the matmul kernel group (see op_check_internal.h). */
#include "gpu/op_check_internal.h"

const op_case *op_check_cases_matmul(int *count) {
    *count = 0;
    return 0;
}
