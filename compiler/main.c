/* nrnc: compiles .nrn neuron models to native simulators. */
#include <llvm-c/Core.h>

#include "drv.h"

int main(int argc, char **argv)
{
    DrvOptions opt;
    int rc = drv_parse_args(argc, argv, &opt);
    if (rc < 0)
        rc = drv_execute(&opt);
    drv_options_free(&opt);
    LLVMShutdown();
    return rc;
}
