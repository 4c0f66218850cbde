/*
 * builtin_data.S - the bytes of what dp-mkmodel made (see builtin.h),
 * placed in read-only data. DP_BUILTIN_MODEL and DP_BUILTIN_ROWS are the
 * files' paths, given by the build.
 */
	.section .rodata
	.balign 16
	.globl dp_builtin_model
	.globl dp_builtin_model_end
dp_builtin_model:
	.incbin DP_BUILTIN_MODEL
dp_builtin_model_end:
	.byte 0

	.balign 16
	.globl dp_builtin_rows
	.globl dp_builtin_rows_end
dp_builtin_rows:
	.incbin DP_BUILTIN_ROWS
dp_builtin_rows_end:
	.byte 0

	.section .note.GNU-stack,"",@progbits
