# config: the INI file and its table of keys
src_libdeskpilot_a_SOURCES += src/config/config.c src/config/config.h
