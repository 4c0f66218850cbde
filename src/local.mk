# src: the deskpilot binary. Everything but main.c goes into a convenience
# library, so the tests link exactly the objects the binary ships; each
# folder's local.mk adds its own files to it.
noinst_LIBRARIES += src/libdeskpilot.a src/libdpdata.a
bin_PROGRAMS += src/deskpilot
src_deskpilot_SOURCES = src/main.c
src_deskpilot_LDADD = $(DP_LIBS)
