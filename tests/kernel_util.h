/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for tests that run against a real kernel (in the sandbox). */
#ifndef VT_KERNEL_UTIL_H
#define VT_KERNEL_UTIL_H

#include <jansson.h>

#include "vt_link.h"
#include "vt_netlink.h"

/** kt_enter_netns - a fresh network namespace for this test, loopback up. */
void kt_enter_netns(void);

/** kt_sh - run a shell command; the test fails unless it exits 0. */
void kt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** kt_sh_status - run a shell command, return its exit status. */
int kt_sh_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * kt_ip_link - iproute2's independent view of @dev (`ip -d -j link show`),
 * as a JSON object the caller releases with json_decref(); NULL if absent.
 */
json_t *kt_ip_link(const char *dev);

/**
 * kt_addr_watch - a socket subscribed to IPv6 address events
 * (RTNLGRP_IPV6_IFADDR), to learn afterwards whether any address appeared,
 * even for a moment. Close it with close().
 */
int kt_addr_watch(void);

/**
 * kt_addr_events - how many address events (RTM_NEWADDR, RTM_DELADDR) the
 * kernel sent to @fd since it was opened or last read, for the device
 * @ifindex, or for any with 0. Both count: addrconf announces a new address
 * from its DAD work, a moment later, but one deleted before that is still
 * announced as deleted. Reads without blocking; the test fails on an overrun.
 */
int kt_addr_events(int fd, int ifindex);

/** kt_addr_wait - wait up to @seconds for an RTM_NEWADDR for @ifindex on @fd. */
bool kt_addr_wait(int fd, int ifindex, int seconds);

/** kt_dump - dump the links; the test fails if the dump does. */
void kt_dump(struct vt_nl *nl, struct vt_link_table *table);

/** kt_find - the link called @name; the test fails if it is absent. */
const struct vt_link *kt_find(const struct vt_link_table *table, const char *name);

/** kt_ifindex - the ifindex of @name, read through a fresh dump. */
int kt_ifindex(struct vt_nl *nl, const char *name);


/**
 * kt_snapshot - every link of the namespace as canonical text, one line each,
 * sorted by name: everything vlantrunk manages, IPv6 state included, with
 * parent and master by name (an ifindex may change on a recreate). A
 * bridge's own MAC is left out:
 * the kernel derives it from its ports. With @initials, only links whose name
 * starts with one of those characters. The caller frees it.
 */
char *kt_snapshot(struct vt_nl *nl, const char *initials);

/**
 * kt_snapshot_netns - kt_snapshot() of the own namespace, then of each of
 * the @n namespace files @paths, each section headed "== own" or
 * "== PATH COOKIE" ("== PATH none" when it does not exist); a parent in
 * another namespace than its device's reads "NAME@own". Registered on @nl
 * for the dump only, as kt_world_read_netns().
 */
char *kt_snapshot_netns(struct vt_nl *nl, const char *initials, const char *const *paths,
			size_t n);

/**
 * kt_bin - the command that runs a built program ("vlantrunk",
 * "vlantrunk-faulty"): its path, behind $VT_BIN_WRAP when set.
 */
const char *kt_bin(const char *program);

/**
 * kt_run - run a shell command line; its exit status (128+N for signal N)
 * and, when @output is not NULL, its stdout and stderr (caller frees).
 */
int kt_run(char **output, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** kt_write - write @text to @path; the test fails if it cannot. */
void kt_write(const char *path, const char *text);

/** kt_tempdir - a fresh directory under /tmp (caller removes it with kt_rmrf). */
char *kt_tempdir(void);

/** kt_rmrf - remove @path and everything in it, and free it. */
void kt_rmrf(char *path);

/**
 * kt_journals - how many journals the state dir @state holds (one file per
 * transaction: "journal-<id>", or a version 1 "journal").
 */
int kt_journals(const char *state);

/**
 * kt_vlantrunk - run vlantrunk on @config and @state with @args, or with a
 * @fault (VT_FAULT's value) the faulty build; as kt_run().
 */
int kt_vlantrunk(char **output, const char *fault, const char *config, const char *state,
		 const char *args);

/*
 * A test's own namespace, netlink socket, and a temporary directory with
 * the paths of a config file and a state dir in it: what the tests that
 * run the program need.
 */
struct kt_cli {
	struct vt_nl *nl;
	char *dir;
	char config[256];
	char state[256];
};

/** kt_cli_setup - enter a new network namespace and fill @c; then run the shell @parents. */
void kt_cli_setup(struct kt_cli *c, const char *parents);

/** kt_cli_teardown - what kt_cli_setup() made goes. */
void kt_cli_teardown(struct kt_cli *c);

/** kt_cli_run - kt_vlantrunk() on @c's config and state dir. */
int kt_cli_run(struct kt_cli *c, char **output, const char *fault, const char *args);

/**
 * kt_cli_json - `vlantrunk --json @args` (stdout only: a recovery notice on
 * stderr is not part of the document), which must exit @want and print one
 * JSON document; the caller decrefs it.
 */
json_t *kt_cli_json(struct kt_cli *c, const char *args, int want);

/** kt_cli_expect - kt_cli_run(), which must exit @want and print @text when given. */
void kt_cli_expect(struct kt_cli *c, int want, const char *fault, const char *args,
		   const char *text);

/** kt_requests - the faulty build's "faulty: N requests" in @output; the test fails without. */
size_t kt_requests(const char *output);

/* splitmix64: small, deterministic, and the same on every libc (no rand()). */
struct kt_rng {
	uint64_t s;
};

uint64_t kt_rng_next(struct kt_rng *r);

/* One device as the seeded tests compare it: everything vlantrunk manages. */
struct kt_dev {
	/*
	 * Its namespace: 0 for the reader's own, else the SO_NETNS_COOKIE of
	 * the one it is in, which the kernel never gives to another namespace
	 * (a name in /run/netns deleted and added again names a new cookie).
	 */
	uint64_t netns;
	unsigned ns;	/* 0: the own namespace; i + 1: kt_world_read_netns()'s @paths[i] */
	int ifindex;
	char name[VT_IFNAMSIZ];
	char alias[VT_ALIAS_MAX + 1];
	char parent[VT_IFNAMSIZ];	/* a VLAN's parent, by name in its namespace ("" none) */
	unsigned vlan;
	uint16_t protocol;
	uint32_t group;
	bool is_vlan;
	char *line;	/* every attribute, on one line */
};

#define KT_MAX_NETNS 8

/* Every link of the namespace (and of those named), in dump order. */
struct kt_world {
	struct kt_dev *devs;
	size_t n;
	char *text;	/* every line */
	uint64_t cookie[KT_MAX_NETNS];	/* of each namespace named; 0: it does not exist */
	size_t n_netns;
};

/**
 * kt_world_read - dump every link into @w (kt_world_free() releases it).
 * A line names parent and master by name, or with @by_index by ifindex (a
 * device's line then stays the same when its parent is renamed).
 */
void kt_world_read(struct vt_nl *nl, struct kt_world *w, bool by_index);

/**
 * kt_world_read_netns - kt_world_read() of the own namespace and of the @n
 * namespace files @paths that exist (at most KT_MAX_NETNS), each registered
 * on @nl for the dump only: a namespace held open outlives `ip netns del`.
 * A line of a device in one of them starts with "ns=<i+1>".
 */
void kt_world_read_netns(struct vt_nl *nl, struct kt_world *w, bool by_index,
			 const char *const *paths, size_t n);
void kt_world_free(struct kt_world *w);
/* Devices of the own namespace, by ifindex or name. */
const struct kt_dev *kt_world_ifindex(const struct kt_world *w, int ifindex);
const struct kt_dev *kt_world_name(const struct kt_world *w, const char *name);
/* A device of the namespace with cookie @netns (0: the own one), by ifindex or name. */
const struct kt_dev *kt_world_dev(const struct kt_world *w, uint64_t netns, int ifindex);
const struct kt_dev *kt_world_find(const struct kt_world *w, uint64_t netns, const char *name);
/** kt_world_has_netns - namespace @netns (a cookie; 0 the own one) was read into @w. */
bool kt_world_has_netns(const struct kt_world *w, uint64_t netns);

/** kt_marked - @d carries vlantrunk's marker ("vlantrunk:" alias). */
bool kt_marked(const struct kt_dev *d);

/** kt_is_journal - @name (in a state dir) is a journal: "journal*", not "*.tmp". */
bool kt_is_journal(const char *name);

/**
 * kt_journal_text - how many journals the state dir @state holds; with
 * @text, their names and contents concatenated (caller frees).
 */
size_t kt_journal_text(const char *state, char **text);

/*
 * What the journals name: devices (objects with an "ifindex"; one in another
 * namespace than the own also with "netns_path" and "netns_cookie", the file
 * and the cookie its journal recorded) and device groups.
 */
struct kt_facts {
	json_t *devices;	/* array of those objects */
	json_t *groups;		/* array of integers */
};

void kt_journal_facts(const char *state, struct kt_facts *fx);
void kt_facts_free(struct kt_facts *fx);

/* ---- what the seeded campaigns (test_campaign.c, test_chaos.c) share ---- */

/*
 * Their base topology, as `ip -batch` lines: dummy parents p0, p1, p2 (up) and
 * bridges br0, br1 with an MTU and a MAC set by hand (a bridge no longer
 * derives them from its ports).
 */
extern const char kt_campaign_topology[];

/** kt_campaign_parents - the topology's parents, p0..p2. */
extern const char *const kt_campaign_parents[3];

/** kt_campaign_base - @name is a device of the base topology (or lo). */
bool kt_campaign_base(const char *name);

/** kt_knob - the number in environment variable @name, or @dflt. */
unsigned long kt_knob(const char *name, unsigned long dflt);
/**
 * kt_long - how much of a long test's default work @dflt to do: VT_LONG_TESTS
 * percent of it (100 by default; make check-kernels lowers it, for the
 * emulated CPUs of these machines), never less than @least.
 */
unsigned long kt_long(unsigned long dflt, unsigned long least);
/** kt_sanitized - whether this build, and so the programs beside it, runs under ASan. */
bool kt_sanitized(void);

/** kt_now - CLOCK_MONOTONIC in seconds. */
double kt_now(void);

/** kt_default_seed - a seed for a run that names none: time and pid. */
uint64_t kt_default_seed(void);

#endif
