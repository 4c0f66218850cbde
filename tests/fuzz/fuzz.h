/*
 * fuzz.h - what every libFuzzer target shares: process-wide library setup
 * done the way `deskpilot serve` does it (libxml2 initialised, external
 * entities refused, logging quiet).
 */
#ifndef DP_FUZZ_H
#define DP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The setup above; every target's LLVMFuzzerInitialize calls it. */
void fuzz_setup(void);

/* A NUL-terminated heap copy of the input (caller frees). */
char *fuzz_cstring(const uint8_t *data, size_t size);

#endif
