/*
 * fuzz_config.c - the INI config parser and validation, through a memfd
 * so config_load reads the bytes as a file.
 */
#include "fuzz.h"

#include "config/config.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct config cfg;
	struct dp_error err;
	int fd = memfd_create("fuzz-config", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		config_init(&cfg);
		config_load(&cfg, path, &err);
		config_release(&cfg);
	}
	close(fd);
	return 0;
}
