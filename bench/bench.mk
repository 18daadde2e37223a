# Shared rules for the C benchmarks linked against the release library. A benchmark's Makefile
# sets BENCH (the program name, built from $(BENCH).c) and includes this file; run
# `make -s all` at the top first, which builds build/libvpcd.a.
CC    ?= cc
OUT   ?= ../../build/bench
PKGS   = libmicrohttpd openssl sqlite3 jansson libmnl zlib
CFLAGS = -std=c17 -D_GNU_SOURCE -O3 -march=native -g -Wall -Wextra -Werror -Wshadow \
         -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -I../../src \
         $(shell pkg-config --cflags $(PKGS))
LDLIBS = ../../build/libvpcd.a $(shell pkg-config --libs $(PKGS)) -lpthread -lm

.PHONY: all clean
all: $(OUT)/$(BENCH)

$(OUT)/$(BENCH): $(BENCH).c ../../build/libvpcd.a
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) $< -o $@ $(LDLIBS)

clean:
	rm -f $(OUT)/$(BENCH)
