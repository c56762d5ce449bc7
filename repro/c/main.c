/* fltest CASE [OPTIONS]: the faultline kernel tests (see ../README.md). */
#include "fl.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "h2"))
		return case_h2(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "wb"))
		return case_wb(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "ff"))
		return case_ff(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "uw"))
		return case_uw(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "mc"))
		return case_mc(argc - 1, argv + 1);
	fprintf(stderr, "usage: fltest h2|wb|ff|uw|mc [OPTIONS]\n");
	return 2;
}
