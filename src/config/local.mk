# config: the INI file, deskpilot's own sections and the helpdesks'
src_libdeskpilot_a_SOURCES += src/config/config.c src/config/config.h
